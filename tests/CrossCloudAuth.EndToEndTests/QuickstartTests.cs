using CrossCloudAuth.Samples.Quickstart;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>The README's main command, run in-process.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task RunAsync_Emulator_EveryFlowSucceedsAndTheTraceHoldsNoSecret()
    {
        using var output = new StringWriter();

        int exitCode = await QuickstartRunner.RunAsync([], output, TestContext.Timeout);

        string trace = output.ToString();
        Assert.True(exitCode == 0, trace);
        Assert.Contains("OK: F1, F2, F3, F4, F5 succeeded.", trace, StringComparison.Ordinal);
        foreach (string flow in new[] { "F1", "F2", "F3", "F4", "F5" })
        {
            Assert.Contains($"✓ {flow} cold end-to-end", trace, StringComparison.Ordinal);
        }

        Assert.Contains("became:    service account gcs-reader@crosscloud-demo.iam.gserviceaccount.com", trace, StringComparison.Ordinal);
        Assert.Contains("\"email\":\"aaaaa@example.com\"", trace, StringComparison.Ordinal);
        Errors.AssertNoSecrets(trace);
    }

    [Fact]
    public async Task RunAsync_Help_PrintsTheRealModeVariables()
    {
        using var output = new StringWriter();

        int exitCode = await QuickstartRunner.RunAsync(["--help"], output);

        Assert.Equal(0, exitCode);
        Assert.Contains("CROSSCLOUDAUTH_REAL=1", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunFlowsAsync_AFlowFails_ExitCodeOneAndTheHopIsNamed()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { BindF1 = false });
        using var output = new StringWriter();

        int exitCode = await QuickstartRunner.RunFlowsAsync(world.Settings, output, TestContext.Timeout);

        Assert.Equal(1, exitCode);
        Assert.Contains("✗ F1 failed: CredentialRequestFailedException (ErrorCode PERMISSION_DENIED", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("FAILED: F1", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("✓ F5 cold end-to-end", output.ToString(), StringComparison.Ordinal);
        Errors.AssertNoSecrets(output.ToString(), await File.ReadAllTextAsync(world.EksPodTokenFile));
    }
}
