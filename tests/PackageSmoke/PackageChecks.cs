using System.IO.Compression;
using System.Xml.Linq;

namespace PackageSmoke;

/// <summary>
/// What every shipping package must hold, stated here and not read from the packages or the projects: the three
/// package ids, their kind, their dependencies, the readme, the license expression, XML docs and a symbols package.
/// </summary>
internal static class PackageChecks
{
    private const string License = "Apache-2.0";
    private const string Readme = "PACKAGE.md";
    private const string Tfm = "net10.0";

    // The core's dependencies as shipped; a new one is a deliberate change to this list (and to docs/architecture.md).
    private static readonly string[] CoreDependencies =
    [
        "AWSSDK.Core",
        "AWSSDK.Extensions.NETCore.Setup",
        "AWSSDK.SecurityToken",
        "Google.Apis.Auth",
        "Microsoft.Extensions.Configuration.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Diagnostics.HealthChecks",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.Options",
    ];

    // Build-time and test-only packages: none may reach a user, neither as a dependency nor as a file in the tool.
    private static readonly string[] NeverShipped =
    [
        "Microsoft.CodeAnalysis", "Microsoft.NET.Test.Sdk", "Microsoft.TestPlatform", "xunit", "Microsoft.Extensions.TimeProvider.Testing",
        "BenchmarkDotNet", "CsCheck", "ArchUnitNET", "TngTech.", "Microsoft.SourceLink",
    ];

    private sealed record Expected(string Id, string Assembly, bool IsTool, string[] Dependencies, string[] FrameworkReferences);

    public static void Run(string feed, string version, Report report)
    {
        Expected[] expected =
        [
            new("CrossCloudAuth", "CrossCloudAuth", IsTool: false, CoreDependencies, []),
            new("CrossCloudAuth.Testing", "CrossCloudAuth.Testing", IsTool: false, ["CrossCloudAuth"], ["Microsoft.AspNetCore.App"]),
            new("CrossCloudAuth.Cli", "crosscloud", IsTool: true, [], []),
        ];

        string[] found = [.. Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        string[] wanted = [.. expected.Select(e => $"{e.Id}.{version}.nupkg").Order(StringComparer.Ordinal)];
        if (!found.SequenceEqual(wanted, StringComparer.Ordinal))
        {
            report.Fail($"packed: expected {string.Join(", ", wanted)}; the folder has {string.Join(", ", found)} (one version for every package comes from Directory.Build.props)");
        }

        foreach (Expected package in expected)
        {
            string path = Path.Combine(feed, $"{package.Id}.{version}.nupkg");
            if (File.Exists(path))
            {
                Check(package, path, version, report);
            }
        }
    }

    private static void Check(Expected package, string path, string version, Report report)
    {
        var problems = new List<string>();
        using ZipArchive zip = ZipFile.OpenRead(path);
        var files = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        ZipArchiveEntry? nuspecEntry = zip.GetEntry($"{package.Id}.nuspec");
        if (nuspecEntry is null)
        {
            report.Fail($"{package.Id}: no {package.Id}.nuspec in the package");
            return;
        }

        XElement metadata;
        using (Stream nuspec = nuspecEntry.Open())
        {
            metadata = XDocument.Load(nuspec).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata")
                ?? throw new InvalidDataException($"{package.Id}.nuspec has no <metadata>");
        }

        string? Meta(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        IEnumerable<XElement> All(string name) => metadata.Descendants().Where(e => e.Name.LocalName == name);

        if (Meta("version") != version)
        {
            problems.Add($"version {Meta("version")}, expected {version}");
        }

        XElement? license = metadata.Elements().FirstOrDefault(e => e.Name.LocalName == "license");
        if (license?.Attribute("type")?.Value != "expression" || license.Value != License)
        {
            problems.Add($"license is '{license?.Value}' ({license?.Attribute("type")?.Value ?? "none"}), expected the expression {License} (PackageLicenseExpression)");
        }

        if (Meta("readme") != Readme || !files.Contains(Readme) || zip.GetEntry(Readme)!.Length == 0)
        {
            problems.Add($"no {Readme} readme at the package root (PackageReadmeFile and the Pack item in src/Directory.Build.props)");
        }

        if (string.IsNullOrWhiteSpace(Meta("description")))
        {
            problems.Add("no description");
        }

        // Dependencies: exactly the expected ids; the Testing package pins the core of the same version.
        var dependencies = All("dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")?.Value ?? "", StringComparer.OrdinalIgnoreCase);
        string[] missing = [.. package.Dependencies.Where(d => !dependencies.ContainsKey(d))];
        string[] extra = [.. dependencies.Keys.Where(d => !package.Dependencies.Contains(d, StringComparer.OrdinalIgnoreCase))];
        if (missing.Length > 0 || extra.Length > 0)
        {
            string missed = missing.Length > 0 ? $"missing {string.Join(", ", missing)}" : "";
            string added = extra.Length > 0 ? $"unexpected {string.Join(", ", extra)}" : "";
            problems.Add($"dependencies: {string.Join("; ", new[] { missed, added }.Where(s => s.Length > 0))} (the expected set is in tests/PackageSmoke/PackageChecks.cs)");
        }

        if (dependencies.TryGetValue("CrossCloudAuth", out string? core) && core != version && core != $"[{version}]")
        {
            problems.Add($"depends on CrossCloudAuth {core}, expected the same version {version}");
        }

        string[] frameworks = [.. All("frameworkReference").Select(f => f.Attribute("name")!.Value).Order(StringComparer.Ordinal)];
        if (!frameworks.SequenceEqual(package.FrameworkReferences, StringComparer.Ordinal))
        {
            problems.Add($"framework references [{string.Join(", ", frameworks)}], expected [{string.Join(", ", package.FrameworkReferences)}]");
        }

        string[] leaked = [.. dependencies.Keys.Concat(files.Select(Path.GetFileName).OfType<string>())
            .Where(name => NeverShipped.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))];
        if (leaked.Length > 0)
        {
            problems.Add($"build-time or test-only packages leaked in: {string.Join(", ", leaked)} (PrivateAssets=\"all\" on analyzers; tests stay out of src)");
        }

        if (package.IsTool)
        {
            CheckTool(package, metadata, files, problems);
        }
        else
        {
            CheckLibrary(package, zip, files, problems);
        }

        CheckSymbols(package, path, problems);

        if (problems.Count == 0)
        {
            report.Pass($"{package.Id}: {new FileInfo(path).Length / 1024} KiB, {files.Count} files, {dependencies.Count} dependencies, {License}, {Readme}, symbols");
        }

        foreach (string problem in problems)
        {
            report.Fail($"{package.Id}: {problem}");
        }
    }

    private static void CheckLibrary(Expected package, ZipArchive zip, HashSet<string> files, List<string> problems)
    {
        string dll = $"lib/{Tfm}/{package.Assembly}.dll";
        string xml = $"lib/{Tfm}/{package.Assembly}.xml";
        if (!files.Contains(dll))
        {
            problems.Add($"no {dll}");
        }

        ZipArchiveEntry? docs = zip.GetEntry(xml);
        if (docs is null)
        {
            problems.Add($"no XML docs {xml} (GenerateDocumentationFile)");
        }
        else
        {
            using Stream stream = docs.Open();
            XDocument doc = XDocument.Load(stream);
            string? assembly = doc.Root?.Element("assembly")?.Element("name")?.Value;
            int members = doc.Root?.Element("members")?.Elements("member").Count() ?? 0;
            if (assembly != package.Assembly || members == 0)
            {
                problems.Add($"{xml} documents assembly '{assembly}' with {members} members");
            }
        }

        string[] unexpected = [.. files.Where(f => f.StartsWith("lib/", StringComparison.Ordinal) && f != dll && f != xml)];
        if (unexpected.Length > 0)
        {
            problems.Add($"unexpected files under lib/: {string.Join(", ", unexpected)}");
        }
    }

    private static void CheckTool(Expected package, XElement metadata, HashSet<string> files, List<string> problems)
    {
        string dir = $"tools/{Tfm}/any/";
        string[] required = ["DotnetToolSettings.xml", $"{package.Assembly}.dll", $"{package.Assembly}.runtimeconfig.json", "CrossCloudAuth.dll", "CrossCloudAuth.Testing.dll"];
        string[] missing = [.. required.Where(f => !files.Contains(dir + f))];
        if (missing.Length > 0)
        {
            problems.Add($"the tool lacks {string.Join(", ", missing.Select(f => dir + f))}");
        }

        bool isTool = metadata.Descendants().Any(e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        if (!isTool)
        {
            problems.Add("package type is not DotnetTool (PackAsTool)");
        }
    }

    private static void CheckSymbols(Expected package, string nupkg, List<string> problems)
    {
        string snupkg = Path.ChangeExtension(nupkg, ".snupkg");
        if (!File.Exists(snupkg))
        {
            problems.Add($"no {Path.GetFileName(snupkg)} next to it (IncludeSymbols, SymbolPackageFormat snupkg)");
            return;
        }

        using ZipArchive symbols = ZipFile.OpenRead(snupkg);
        string pdb = package.IsTool ? $"tools/{Tfm}/any/{package.Assembly}.pdb" : $"lib/{Tfm}/{package.Assembly}.pdb";
        if (symbols.GetEntry(pdb) is null)
        {
            problems.Add($"{Path.GetFileName(snupkg)} has no {pdb}");
        }
    }
}
