using CrossCloudAuth.Caching;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Google;

/// <summary>
/// Everything a <see cref="GoogleFederatedCredential"/> needs: the workload identity provider, the subject token
/// source, the service account to impersonate, and the plumbing (HTTP client, clock, logging). Filled from an
/// <c>external_account</c> file by <see cref="GoogleFederatedCredential.FromConfiguration"/>, or set in code.
/// </summary>
/// <remarks>The credential copies the options when it is built; later changes have no effect.</remarks>
public sealed class GoogleFederatedCredentialOptions
{
    /// <summary>Gets or sets the provider's full resource name (<c>audience</c>), such as
    /// <c>//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/provider</c>. Required.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Gets or sets where subject tokens come from. Required in code; built from <c>credential_source</c>
    /// by <see cref="GoogleFederatedCredential.FromConfiguration"/> when left <see langword="null"/>.</summary>
    public ISubjectTokenSource? SubjectTokenSource { get; set; }

    /// <summary>Gets or sets the STS endpoint (<c>token_url</c>). Default: <c>https://sts.{UniverseDomain}/v1/token</c>.</summary>
    public Uri? TokenUrl { get; set; }

    /// <summary>Gets or sets the email of the service account to impersonate; <see langword="null"/> (and no
    /// <see cref="ServiceAccountImpersonationUrl"/>) for direct federated access.</summary>
    public string? ServiceAccountEmail { get; set; }

    /// <summary>Gets or sets the IAM Credentials <c>generateAccessToken</c> URL (<c>service_account_impersonation_url</c>).
    /// Default: built from <see cref="ServiceAccountEmail"/> and <see cref="UniverseDomain"/>.</summary>
    public Uri? ServiceAccountImpersonationUrl { get; set; }

    /// <summary>Gets or sets the lifetime of impersonated access tokens, 5 minutes to 12 hours
    /// (<c>service_account_impersonation.token_lifetime_seconds</c>). Default: <see langword="null"/>, Google's 1 hour.
    /// More than 1 hour needs the organization policy constraint <c>iam.allowServiceAccountCredentialLifetimeExtension</c>.</summary>
    public TimeSpan? TokenLifetime { get; set; }

    /// <summary>Gets the delegation chain of service accounts (emails or <c>projects/-/serviceAccounts/EMAIL</c>) between
    /// the federated identity and the impersonated account. Default: empty.</summary>
    public IList<string> Delegates { get; } = new List<string>();

    /// <summary>Gets or sets the OAuth scopes of the access tokens. Default: <c>https://www.googleapis.com/auth/cloud-platform</c>.
    /// With impersonation STS is always asked for cloud-platform and these scopes go to IAM Credentials.</summary>
    public IList<string> Scopes { get; set; } = new List<string> { GoogleDefaults.CloudPlatformScope };

    /// <summary>Gets or sets the project billed for API calls (<c>quota_project_id</c>), sent by the adapters as
    /// <c>x-goog-user-project</c>. Default: none.</summary>
    public string? QuotaProjectId { get; set; }

    /// <summary>Gets or sets the workforce pool user project (<c>workforce_pool_user_project</c>). Default: none.</summary>
    public string? WorkforcePoolUserProject { get; set; }

    /// <summary>Gets or sets the OAuth client id for STS client authentication (<c>client_id</c>). Default: none.</summary>
    public string? ClientId { get; set; }

    /// <summary>Gets or sets the OAuth client secret for STS client authentication (<c>client_secret</c>). Default: none.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Gets or sets the STS introspection endpoint (<c>token_info_url</c>); validated like the other endpoints. Default: none.</summary>
    public Uri? TokenInfoUrl { get; set; }

    /// <summary>Gets or sets the universe domain the credential runs in. Default: <c>googleapis.com</c>.</summary>
    /// <remarks>This is the trust anchor of the endpoint checks: STS and IAM Credentials must be https hosts of this
    /// domain. A configuration file's <c>universe_domain</c> must equal it (or be absent); a file never chooses it, so
    /// a file from an untrusted source cannot make its own hosts count as Google's. Set it in code only for a Google
    /// Cloud universe your organization uses.</remarks>
    public string UniverseDomain { get; set; } = GoogleDefaults.UniverseDomain;

    /// <summary>Gets or sets a value indicating whether endpoints may be other than Google's https hosts of
    /// <see cref="UniverseDomain"/> (STS, IAM Credentials) and the instance metadata link-local addresses. Default:
    /// <see langword="false"/>. Set it only for an emulator or tests: a configuration from an untrusted source could
    /// otherwise send subject tokens and AWS credentials to any host.</summary>
    public bool AllowNonStandardEndpoints { get; set; }

    // The plumbing, for the library's own composition and tests; users give it once, as a CredentialContext, to
    // Create, FromConfiguration or FromEnvironmentAsync. A value set here wins over the context's.
    internal HttpClient? HttpClient { get; set; }

    internal TimeProvider? TimeProvider { get; set; }

    internal ILoggerFactory? LoggerFactory { get; set; }

    internal ISystemEnvironment? Environment { get; set; }

    /// <summary>Gets or sets the refresh scheduling of every cached token. Default: the cache's defaults.</summary>
    public RefreshAheadCacheOptions? Cache { get; set; }

    /// <summary>Gets or sets the AWS credentials that sign the subject of an <c>aws1</c> configuration, such as a
    /// <see cref="Aws.DefaultAwsCredentialChain"/> or a role chain; not disposed by the credential. Default: none, which
    /// keeps Google's behaviour (see <see cref="UseDefaultAwsCredentialChain"/>).</summary>
    public ICredentialProvider<Aws.AwsCredentials>? AwsCredentials { get; set; }

    /// <summary>Gets or sets a value indicating whether an <c>aws1</c> configuration finds its AWS credentials with the
    /// full AWS chain (<see cref="Aws.DefaultAwsCredentialChain"/>: environment, profile, web identity, ECS / EKS Pod
    /// Identity container credentials, then the file's instance metadata URLs) instead of Google's (environment
    /// variables, then instance metadata). Ignored when <see cref="AwsCredentials"/> is set. Default:
    /// <see langword="false"/>, Google's behaviour.</summary>
    public bool UseDefaultAwsCredentialChain { get; set; }

    /// <summary>Gets or sets the deadline of each request to STS, IAM Credentials and URL sources. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = GoogleDefaults.RequestTimeout;

    /// <summary>Gets or sets how STS and IAM Credentials calls are retried (on 5xx, 429, 408, connection failures and
    /// missed deadlines; never on a definitive 4xx). Default: <see langword="null"/>, the <see cref="HopRetryOptions"/>
    /// defaults (3 attempts, 200 ms base backoff, 5 s max delay). Each attempt has its own <see cref="RequestTimeout"/>.</summary>
    public HopRetryOptions? Retry { get; set; }
}
