using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Google;

/// <summary>
/// Settings of an <see cref="ExecutableSubjectTokenSource"/> (<c>credential_source.executable</c> in a credential
/// configuration file).
/// </summary>
public sealed class ExecutableSubjectTokenSourceOptions
{
    /// <summary>Gets or sets the command line: the program's absolute path followed by its arguments, separated by
    /// white space (no shell quoting). Required.</summary>
    public string Command { get; set; } = string.Empty;

    /// <summary>Gets or sets how long the program may run, from 5 seconds to 2 minutes. Default: 30 seconds
    /// (<c>timeout_millis</c>).</summary>
    public TimeSpan Timeout { get; set; } = ExecutableSubjectTokenSource.DefaultTimeout;

    /// <summary>Gets or sets the file where the program caches its last response (<c>output_file</c>); an unexpired
    /// successful response found there is used without running the program. None by default.</summary>
    public string? OutputFile { get; set; }

    /// <summary>Gets or sets the workload identity provider audience, passed to the program as
    /// <c>GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE</c>. Required.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Gets or sets the expected subject token type, passed as <c>GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE</c>.
    /// Default: <see cref="SubjectTokenTypes.Jwt"/>.</summary>
    public string SubjectTokenType { get; set; } = SubjectTokenTypes.Jwt;

    /// <summary>Gets or sets the email of the impersonated service account, passed as
    /// <c>GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL</c> when set.</summary>
    public string? ImpersonatedServiceAccountEmail { get; set; }

    // The plumbing, for the library's own composition and tests; users give a CredentialContext to the constructor.
    internal ISystemEnvironment? Environment { get; set; }

    internal TimeProvider? TimeProvider { get; set; }
}
