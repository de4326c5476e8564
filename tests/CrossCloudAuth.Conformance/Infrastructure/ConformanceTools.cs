using System.Collections.Concurrent;
using System.Text.Json;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// Finds the third-party tools once per test run (each probe is a short, bounded process) and records their versions.
/// </summary>
public static class ConformanceTools
{
    private static readonly ConcurrentDictionary<ConformanceTool, Lazy<ToolInfo>> Probes = new();

    /// <summary>What discovery found for <paramref name="tool"/>.</summary>
    public static ToolInfo Get(ConformanceTool tool) =>
        Probes.GetOrAdd(tool, t => new Lazy<ToolInfo>(() => Probe(t))).Value;

    /// <summary>
    /// The first line of every conformance test: fails with an actionable message when a tool is missing. (Outside CI
    /// the <see cref="ConformanceFactAttribute"/> has already skipped such a test, so this only fires under CI.)
    /// </summary>
    public static void Require(params ConformanceTool[] tools)
    {
        foreach (var tool in tools)
        {
            var info = Get(tool);
            Assert.True(info.IsAvailable, info.MissingMessage);
        }
    }

    private static ToolInfo Probe(ConformanceTool tool) => tool switch
    {
        ConformanceTool.Moto => ProbeCommand(
            tool,
            "pip install 'moto[server]==5.2.1' (the server extra brings flask/werkzeug)",
            "python3",
            "-c",
            "import importlib.metadata as m, moto.server; print('moto ' + m.version('moto') + ', botocore ' + m.version('botocore'))"),
        ConformanceTool.Botocore => ProbeCommand(
            tool,
            "pip install botocore",
            "python3",
            "-c",
            "import importlib.metadata as m, botocore.auth; print('botocore ' + m.version('botocore'))"),
        ConformanceTool.AwsCli => ProbeCommand(tool, "apt-get install awscli, or pip install awscli", "aws", "--version"),
        ConformanceTool.Gcloud => ProbeGcloud(),
        ConformanceTool.NodeAuthLibrary => ProbeNode(),
        _ => throw new ArgumentOutOfRangeException(nameof(tool)),
    };

    private static ToolInfo ProbeCommand(ConformanceTool tool, string hint, string fileName, params string[] arguments)
    {
        var result = ToolProcess.TryRun(new ProcessSpec(fileName, arguments) { Timeout = TimeSpan.FromSeconds(30) });
        if (result is null)
        {
            return new ToolInfo(tool, false, $"`{fileName}` could not be started", hint);
        }

        // aws-cli v1 prints its version on stderr, v2 on stdout.
        var text = (result.StandardOutput + result.StandardError).Trim();
        return result.ExitCode == 0
            ? new ToolInfo(tool, true, text, hint)
            : new ToolInfo(tool, false, $"`{fileName}` exited with {result.ExitCode}: {Truncate(LastLine(text))}", hint);
    }

    private static ToolInfo ProbeGcloud()
    {
        const string Hint = "install the Google Cloud SDK (https://cloud.google.com/sdk/docs/install, Debian package google-cloud-cli)";
        using var config = new TemporaryDirectory("gcloud-probe");
        var result = ToolProcess.TryRun(new ProcessSpec("gcloud", ["--version"])
        {
            Environment = Gcloud.OfflineEnvironment(config.Path),
            Timeout = TimeSpan.FromSeconds(60),
        });
        if (result is null || result.ExitCode != 0)
        {
            return new ToolInfo(ConformanceTool.Gcloud, false, result is null ? "`gcloud` could not be started" : Truncate(result.StandardError), Hint);
        }

        // "Google Cloud SDK 528.0.0" plus the bundled google-auth (Google's Python auth library) it ships.
        var sdk = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim();
        return new ToolInfo(ConformanceTool.Gcloud, true, sdk, Hint);
    }

    private static ToolInfo ProbeNode()
    {
        var hint = $"install Node.js 20+ and run `npm ci` in {ConformanceEnvironment.NodeHarnessDirectory} (scripts/test.sh does it)";
        var node = ProbeCommand(ConformanceTool.NodeAuthLibrary, hint, "node", "--version");
        if (!node.IsAvailable)
        {
            return node;
        }

        var manifest = Path.Combine(ConformanceEnvironment.NodeHarnessDirectory, "node_modules", "google-auth-library", "package.json");
        if (!File.Exists(manifest))
        {
            return new ToolInfo(ConformanceTool.NodeAuthLibrary, false, $"node {node.Version} found, but google-auth-library is not installed ({manifest} is missing)", hint);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var version = document.RootElement.GetProperty("version").GetString();
        return new ToolInfo(ConformanceTool.NodeAuthLibrary, true, $"node {node.Version}, google-auth-library {version}", hint);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;

    private static string Truncate(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
