namespace CrossCloudAuth.Tests.Google.Fixtures;

/// <summary>Reads the gcloud-generated configuration files copied next to the test assembly.</summary>
internal static class FixtureFiles
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Google", "Fixtures", name));
}
