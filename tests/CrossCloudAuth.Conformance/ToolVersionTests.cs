using CrossCloudAuth.Conformance.Infrastructure;
using Xunit.Abstractions;

namespace CrossCloudAuth.Conformance;

/// <summary>Records which tools (and which versions) this run verified against, and checks the process runner's bounds.</summary>
public sealed class ToolVersionTests(ITestOutputHelper output)
{
    [Fact]
    public void Discovery_EveryTool_ReportsVersionOrInstallHint()
    {
        foreach (var tool in Enum.GetValues<ConformanceTool>())
        {
            var info = ConformanceTools.Get(tool);
            output.WriteLine($"{tool}: {(info.IsAvailable ? info.Version : "MISSING — " + info.MissingMessage)}");
            Assert.False(string.IsNullOrWhiteSpace(info.Version));
            if (ConformanceEnvironment.IsCI)
            {
                Assert.True(info.IsAvailable, info.MissingMessage);
            }
        }
    }

    [Fact]
    public async Task RunAsync_ProcessOutlivesTimeout_KillsTreeAndReportsOutput()
    {
        var spec = new ProcessSpec("sh", ["-c", "echo started; sleep 30 & wait"]) { Timeout = TimeSpan.FromSeconds(1) };

        var error = await Assert.ThrowsAsync<TimeoutException>(() => ToolProcess.RunAsync(spec));

        Assert.Contains("did not finish within 1s", error.Message);
        Assert.Contains("started", error.Message);
    }

    [Fact]
    public async Task RunAsync_ScrubsCloudVariablesAndPassesStdin()
    {
        var spec = new ProcessSpec("sh", ["-c", "cat; env | grep -c '^AWS_\\|^GOOGLE_\\|^CLOUDSDK_' || true"])
        {
            StandardInput = "hello\n",
            Environment = new Dictionary<string, string?> { ["CONFORMANCE_MARKER"] = "1" },
        };

        var result = (await ToolProcess.RunAsync(spec)).EnsureSuccess();

        Assert.Equal("hello\n0\n", result.StandardOutput);
    }
}
