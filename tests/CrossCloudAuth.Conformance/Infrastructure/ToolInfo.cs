namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>What discovery found out about one tool.</summary>
/// <param name="Tool">The tool.</param>
/// <param name="IsAvailable">Whether it can be run here.</param>
/// <param name="Version">Its version line(s) when available, otherwise why it is not.</param>
/// <param name="InstallHint">How to install it.</param>
public sealed record ToolInfo(ConformanceTool Tool, bool IsAvailable, string Version, string InstallHint)
{
    /// <summary>The message of a skipped (or, under CI, failed) test.</summary>
    public string MissingMessage =>
        $"{Tool} is not available ({Version}). Install it: {InstallHint}. " +
        "Locally these conformance tests are skipped without it; with CI=true they fail.";
}
