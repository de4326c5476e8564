using System.Reflection;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>Where the conformance tests run: CI or a developer machine, and where their helper files live.</summary>
internal static class ConformanceEnvironment
{
    /// <summary>True when <c>CI=true</c> (or <c>1</c>): a missing tool then fails the test instead of skipping it.</summary>
    public static bool IsCI { get; } =
        Environment.GetEnvironmentVariable("CI") is { } ci &&
        (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>The source folder of this project (the Node harness and Python helpers are run from there).</summary>
    public static string ProjectDirectory { get; } = FindProjectDirectory();

    public static string NodeHarnessDirectory => Path.Combine(ProjectDirectory, "node");

    public static string PythonDirectory => Path.Combine(ProjectDirectory, "python");

    private static string FindProjectDirectory()
    {
        var fromBuild = typeof(ConformanceEnvironment).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ConformanceProjectDirectory")?.Value;
        if (fromBuild is not null && Directory.Exists(fromBuild))
        {
            return fromBuild;
        }

        // The build machine's path is gone (e.g. the output was copied): walk up to the repository instead.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "CrossCloudAuth.Conformance");
            if (File.Exists(Path.Combine(candidate, "CrossCloudAuth.Conformance.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Cannot find the tests/CrossCloudAuth.Conformance folder from " + AppContext.BaseDirectory);
    }
}
