
namespace CrossCloudAuth.Google;

/// <summary>
/// The <c>credential_source</c> object of an <c>external_account</c> configuration: which fields are set depends
/// on <see cref="Kind"/>. Immutable.
/// </summary>
public sealed class ExternalAccountCredentialSource
{
    internal ExternalAccountCredentialSource(CredentialSourceKind kind)
    {
        Kind = kind;
    }

    /// <summary>Gets where the subject token comes from.</summary>
    public CredentialSourceKind Kind { get; }

    /// <summary>Gets the token file's path (<c>file</c>), for <see cref="CredentialSourceKind.File"/>.</summary>
    public string? File { get; init; }

    /// <summary>Gets the <c>url</c> field: the subject token URL for <see cref="CredentialSourceKind.Url"/>, the
    /// instance metadata security-credentials URL for <see cref="CredentialSourceKind.Aws"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>Gets the headers sent to <see cref="Url"/> (<c>headers</c>), for <see cref="CredentialSourceKind.Url"/>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets how the token sits in the file or response (<c>format</c>).</summary>
    public SubjectTokenFormat Format { get; init; } = SubjectTokenFormat.Text;

    /// <summary>Gets the environment id (<c>environment_id</c>, always <c>aws1</c>), for <see cref="CredentialSourceKind.Aws"/>.</summary>
    public string? EnvironmentId { get; init; }

    /// <summary>Gets the instance metadata availability-zone URL (<c>region_url</c>), for <see cref="CredentialSourceKind.Aws"/>.</summary>
    public Uri? RegionUrl { get; init; }

    /// <summary>Gets the AWS STS <c>GetCallerIdentity</c> URL template with a <c>{region}</c> placeholder
    /// (<c>regional_cred_verification_url</c>), for <see cref="CredentialSourceKind.Aws"/>.</summary>
    public string? RegionalCredentialVerificationUrl { get; init; }

    /// <summary>Gets the IMDSv2 session token URL (<c>imdsv2_session_token_url</c>), for <see cref="CredentialSourceKind.Aws"/>;
    /// <see langword="null"/> when absent.</summary>
    public Uri? Imdsv2SessionTokenUrl { get; init; }

    /// <summary>Gets the program's command line (<c>executable.command</c>), for <see cref="CredentialSourceKind.Executable"/>.</summary>
    public string? ExecutableCommand { get; init; }

    /// <summary>Gets the program's timeout (<c>executable.timeout_millis</c>; 30 seconds when absent).</summary>
    public TimeSpan ExecutableTimeout { get; init; } = ExecutableSubjectTokenSource.DefaultTimeout;

    /// <summary>Gets the program's response cache file (<c>executable.output_file</c>).</summary>
    public string? ExecutableOutputFile { get; init; }
}
