namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>How a finished process ended and what it printed.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>Throws with both output streams when the process did not exit with 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:0.0}s.\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}");
        }

        return this;
    }
}
