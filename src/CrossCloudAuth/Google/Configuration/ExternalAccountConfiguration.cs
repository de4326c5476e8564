using CrossCloudAuth.Platform;
namespace CrossCloudAuth.Google;

/// <summary>
/// An <c>external_account</c> credential configuration, as <c>gcloud iam workload-identity-pools create-cred-config</c>
/// writes it: which workload identity provider to exchange a subject token with, where that token comes from, and
/// which service account to impersonate. Holds no secret except an optional OAuth client secret. Immutable.
/// </summary>
/// <remarks>Load one with <see cref="Parse(string, string?)"/>, <see cref="LoadAsync(Stream, string?, CancellationToken)"/>,
/// <see cref="LoadFileAsync(string, Platform.ISystemEnvironment?, CancellationToken)"/> or
/// <see cref="LoadFromEnvironmentAsync(Platform.ISystemEnvironment?, CancellationToken)"/>, then build a credential with
/// <see cref="GoogleFederatedCredential.FromConfiguration(ExternalAccountConfiguration, Action{GoogleFederatedCredentialOptions}?, CredentialContext?)"/>.
/// Loading checks the shape of the file; the endpoints are checked when the credential is built.</remarks>
public sealed partial class ExternalAccountConfiguration
{
    internal ExternalAccountConfiguration(string source, string audience, string subjectTokenType, Uri tokenUrl, ExternalAccountCredentialSource credentialSource)
    {
        Source = source;
        Audience = audience;
        SubjectTokenType = subjectTokenType;
        TokenUrl = tokenUrl;
        CredentialSource = credentialSource;
    }

    /// <summary>Gets where the configuration was read from (a path, <c>GOOGLE_APPLICATION_CREDENTIALS</c>, a stream), for messages.</summary>
    public string Source { get; }

    /// <summary>Gets the workload or workforce identity provider's full resource name (<c>audience</c>), such as
    /// <c>//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/provider</c>.</summary>
    public string Audience { get; }

    /// <summary>Gets the subject token's RFC 8693 type (<c>subject_token_type</c>).</summary>
    public string SubjectTokenType { get; }

    /// <summary>Gets the Security Token Service endpoint (<c>token_url</c>; <c>https://sts.{universe_domain}/v1/token</c> when absent).</summary>
    public Uri TokenUrl { get; }

    /// <summary>Gets the IAM Credentials <c>generateAccessToken</c> URL of the service account to impersonate
    /// (<c>service_account_impersonation_url</c>); <see langword="null"/> for direct federated access.</summary>
    public Uri? ServiceAccountImpersonationUrl { get; init; }

    /// <summary>Gets the email of the impersonated service account, taken from <see cref="ServiceAccountImpersonationUrl"/>.</summary>
    public string? ServiceAccountEmail { get; init; }

    /// <summary>Gets the lifetime asked for impersonated access tokens
    /// (<c>service_account_impersonation.token_lifetime_seconds</c>); <see langword="null"/> for the 1-hour default.</summary>
    public TimeSpan? TokenLifetime { get; init; }

    /// <summary>Gets the project billed for API calls (<c>quota_project_id</c>), sent as <c>x-goog-user-project</c>.</summary>
    public string? QuotaProjectId { get; init; }

    /// <summary>Gets the workforce pool user project (<c>workforce_pool_user_project</c>), sent to STS as
    /// <c>options.userProject</c>; only for workforce pool audiences.</summary>
    public string? WorkforcePoolUserProject { get; init; }

    /// <summary>Gets the OAuth client id used to authenticate to STS (<c>client_id</c>), if any.</summary>
    public string? ClientId { get; init; }

    /// <summary>Gets the OAuth client secret used to authenticate to STS (<c>client_secret</c>), if any. Never log it.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Gets the STS token introspection endpoint (<c>token_info_url</c>), if any. Validated, not called by this library.</summary>
    public Uri? TokenInfoUrl { get; init; }

    /// <summary>Gets the universe domain the file names (<c>universe_domain</c>; <c>googleapis.com</c> when absent).</summary>
    /// <remarks>A file cannot choose its own universe: building a credential refuses a file whose universe is not
    /// <see cref="GoogleFederatedCredentialOptions.UniverseDomain"/>, which only the application sets.</remarks>
    public string UniverseDomain { get; init; } = GoogleDefaults.UniverseDomain;

    /// <summary>Gets a value indicating whether the file names <c>universe_domain</c> itself.</summary>
    internal bool UniverseDomainNamed { get; init; }

    /// <summary>Gets a value indicating whether the file names <c>token_url</c> itself (rather than the default).</summary>
    internal bool TokenUrlNamed { get; init; }

    /// <summary>Gets where the subject token comes from (<c>credential_source</c>).</summary>
    public ExternalAccountCredentialSource CredentialSource { get; }

    /// <summary>Returns a description without the client secret.</summary>
    public override string ToString() =>
        $"ExternalAccountConfiguration {{ Source = {Source}, Audience = {Audience}, CredentialSource = {CredentialSource.Kind}, ServiceAccount = {ServiceAccountEmail ?? "(none)"} }}";
}
