using System.Diagnostics;

namespace CrossCloudAuth.Cli.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task BuiltTool_Help_RunsAsAProcessAndExitsZero()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "crosscloud.dll");
        var start = new ProcessStartInfo("dotnet", [tool, "--help"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("eks-token", await output, StringComparison.Ordinal);
        Assert.Empty(await error);
    }
}
