using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;

namespace PackageSmoke;

/// <summary>
/// Proves the app was built from the packed packages: NuGet's assets file resolved them as packages (no project
/// references), from the private packages folder only, with the same SHA-512 as the files in the feed folder (a stale
/// copy of the same version cached elsewhere has another hash), downloaded from that folder; and the assemblies loaded
/// at run time carry the version under test.
/// </summary>
internal static class Provenance
{
    private static readonly string[] Packages = ["CrossCloudAuth", "CrossCloudAuth.Testing"];

    public static void Run(string feed, string version, string packagesFolder, string assetsFile, Report report)
    {
        var problems = new List<string>();
        using JsonDocument assets = JsonDocument.Parse(File.ReadAllBytes(assetsFile));
        JsonElement root = assets.RootElement;

        string[] folders = [.. root.GetProperty("packageFolders").EnumerateObject().Select(p => Path.TrimEndingDirectorySeparator(p.Name))];
        if (folders.Length != 1 || folders[0] != Path.TrimEndingDirectorySeparator(packagesFolder))
        {
            problems.Add($"restore used the package folders [{string.Join(", ", folders)}], expected only {packagesFolder} (NUGET_PACKAGES; no fallback folders)");
        }

        JsonElement libraries = root.GetProperty("libraries");
        string[] projects = [.. libraries.EnumerateObject().Where(l => l.Value.GetProperty("type").GetString() != "package").Select(l => l.Name)];
        if (projects.Length > 0)
        {
            problems.Add($"resolved as projects, not packages: {string.Join(", ", projects)}");
        }

        foreach (string id in Packages)
        {
            if (!libraries.TryGetProperty($"{id}/{version}", out JsonElement library))
            {
                problems.Add($"{id} {version} is not in {assetsFile}");
                continue;
            }

            string fed = Path.Combine(feed, $"{id}.{version}.nupkg");
            string expectedHash = Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(fed)));
            if (library.GetProperty("sha512").GetString() != expectedHash)
            {
                problems.Add($"{id} {version} was restored with another SHA-512 than {fed}: a stale copy of the same version was used");
            }

            string metadataFile = Path.Combine(packagesFolder, library.GetProperty("path").GetString()!, ".nupkg.metadata");
            string? source = File.Exists(metadataFile) ? JsonDocument.Parse(File.ReadAllBytes(metadataFile)).RootElement.GetProperty("source").GetString() : null;
            if (source is null || Path.TrimEndingDirectorySeparator(source) != Path.TrimEndingDirectorySeparator(feed))
            {
                problems.Add($"{id} {version} came from '{source}', not the feed folder {feed}");
            }
        }

        foreach (Assembly assembly in new[] { typeof(CrossCloudAuth.AuthToken).Assembly, typeof(CrossCloudAuth.Testing.DemoTopology).Assembly })
        {
            string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (informational is null || !(informational == version || informational.StartsWith(version + "+", StringComparison.Ordinal)))
            {
                problems.Add($"{assembly.GetName().Name} at run time is '{informational}', expected {version}");
            }
        }

        if (problems.Count == 0)
        {
            report.Pass($"provenance: {string.Join(" and ", Packages)} {version} restored as packages from {feed} into {packagesFolder} (SHA-512 equal), loaded at run time");
        }

        foreach (string problem in problems)
        {
            report.Fail($"provenance: {problem}");
        }
    }
}
