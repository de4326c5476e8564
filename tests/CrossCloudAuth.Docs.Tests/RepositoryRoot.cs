namespace CrossCloudAuth.Docs.Tests;

/// <summary>The repository checkout the tests run from: the nearest folder above the test binaries that holds
/// CrossCloudAuth.sln.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CrossCloudAuth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CrossCloudAuth.sln above {AppContext.BaseDirectory}.");
    });

    /// <summary>Gets the repository root.</summary>
    public static string Path => Root.Value;
}
