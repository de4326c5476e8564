namespace CrossCloudAuth.Cli;

/// <summary>The documented exit codes of <c>crosscloud</c> (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Success (for <c>doctor</c>: every hop succeeded).</summary>
    public const int Success = 0;

    /// <summary>A hop was rejected upstream (<see cref="CredentialRequestFailedException"/>; for <c>doctor</c>: it stopped at a hop).</summary>
    public const int HopFailed = 1;

    /// <summary>The command line is wrong (unknown option, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>The setup is misconfigured (<see cref="CredentialConfigurationException"/>): a file, variable or option must change.</summary>
    public const int Configuration = 3;

    /// <summary>No credential source is available here (<see cref="CredentialSourceUnavailableException"/>).</summary>
    public const int Unavailable = 4;

    /// <summary>The command was cancelled (Ctrl+C) before it finished.</summary>
    public const int Cancelled = 130;

    /// <summary>Maps a library exception to its exit code.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The code.</returns>
    public static int For(CrossCloudAuthException exception) => exception switch
    {
        CredentialConfigurationException => Configuration,
        CredentialSourceUnavailableException => Unavailable,
        _ => HopFailed,
    };
}
