using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Settings of a Google identity registered with <c>services.AddGoogleFromAwsIdentity()</c>. Left empty, the
/// identity comes from the <c>external_account</c> file named by <c>GOOGLE_APPLICATION_CREDENTIALS</c> (the file
/// <c>gcloud iam workload-identity-pools create-cred-config</c> writes); the other settings adjust or replace it.
/// </summary>
/// <remarks>
/// <para>Bind it from configuration (<c>AddGoogleFromAwsIdentity(configuration.GetSection("CrossCloudAuth:Google"))</c>):
/// every property except the code-only ones (<see cref="SubjectTokenSource"/>, <see cref="HttpClient"/>,
/// <see cref="ConfigureCredential"/>) has a key of the same name. Options are validated when the host starts.</para>
/// <para>Binding is strict: a key under the section that is not a setting (a misspelling such as
/// <c>ServiceAcountEmail</c>) or a value that does not parse stops the start with the key's path and the nearest valid
/// key. Durations are written <c>01:00:00</c> (hh:mm:ss) or with a unit (<c>3600s</c>, <c>60m</c>, <c>1h</c>); a bare
/// number is refused, because .NET reads it as days where AWS and Google settings mean seconds.</para>
/// <para>The credential is built once, when it is first resolved; later changes of the options have no effect.</para>
/// </remarks>
public sealed class GoogleFromAwsIdentityOptions
{
    /// <summary>Gets or sets the path of an <c>external_account</c> credential configuration file. Default: the value of
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c> when <see cref="Audience"/> is not set.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Gets or sets the workload identity provider's full resource name
    /// (<c>//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER</c>), to
    /// configure the identity without a file; then one of <see cref="SubjectTokenFile"/>, <see cref="UseAwsCredentials"/>
    /// or <see cref="SubjectTokenSource"/> says where subject tokens come from. Default: none (a file is used).</summary>
    public string? Audience { get; set; }

    /// <summary>Gets or sets the path of a file that holds the subject token (a projected Kubernetes service-account
    /// token, an OIDC ID token), re-read on every exchange. Used with <see cref="Audience"/>. Default: none.</summary>
    public string? SubjectTokenFile { get; set; }

    /// <summary>Gets or sets the type of the token in <see cref="SubjectTokenFile"/>. Default:
    /// <c>urn:ietf:params:oauth:token-type:jwt</c>.</summary>
    public string SubjectTokenType { get; set; } = SubjectTokenTypes.Jwt;

    /// <summary>Gets or sets a value indicating whether the subject token is a signed AWS <c>GetCallerIdentity</c>
    /// request (<c>aws4_request</c>) made with the AWS identity registered under the same name by
    /// <c>AddAwsCredentials</c> (by default the pod's web identity, the container's or the instance's role, or a role
    /// chain), so that Google sees the AWS role. Used with <see cref="Audience"/>. Default: <see langword="false"/>.</summary>
    public bool UseAwsCredentials { get; set; }

    /// <summary>Gets or sets the AWS region in the signed <c>aws4_request</c> subject. Default: <c>AWS_REGION</c>,
    /// then <c>AWS_DEFAULT_REGION</c>.</summary>
    public string? AwsRegion { get; set; }

    /// <summary>Gets or sets the service account to impersonate. Default: the one in the file's
    /// <c>service_account_impersonation_url</c>, or none (direct federated access) without a file.</summary>
    public string? ServiceAccountEmail { get; set; }

    /// <summary>Gets the OAuth scopes of the access tokens, which the registered <c>ICredential</c> and handler carry
    /// (Google Cloud client builders apply no scopes to a credential from dependency injection). Default (empty):
    /// <c>https://www.googleapis.com/auth/cloud-platform</c>.</summary>
    public IList<string> Scopes { get; } = new List<string>();

    /// <summary>Gets or sets the project billed for API calls, sent as <c>x-goog-user-project</c> by the registered
    /// <c>ICredential</c> and handler. Default: the file's <c>quota_project_id</c>, or none.</summary>
    public string? QuotaProjectId { get; set; }

    /// <summary>Gets or sets the lifetime of impersonated access tokens, 5 minutes to 12 hours. Default: the file's
    /// <c>token_lifetime_seconds</c>, or Google's one hour.</summary>
    public TimeSpan? TokenLifetime { get; set; }

    /// <summary>Gets or sets the STS endpoint. Default: the file's <c>token_url</c>, or <c>https://sts.googleapis.com/v1/token</c>.</summary>
    public Uri? TokenUrl { get; set; }

    /// <summary>Gets or sets the universe domain the application allows. Default: <c>googleapis.com</c>. A
    /// configuration file's <c>universe_domain</c> must equal it: the file never chooses which hosts count as Google's.</summary>
    public string? UniverseDomain { get; set; }

    /// <summary>Gets or sets a value indicating whether endpoints other than Google's https hosts (an emulator) are
    /// allowed, and whether the registered HTTP handler may send tokens over plain http to a loopback address. Default:
    /// <see langword="false"/>. Never set it for configuration from an untrusted source.</summary>
    public bool AllowNonStandardEndpoints { get; set; }

    /// <summary>Gets or sets the deadline of each request to STS and IAM Credentials. Default: 30 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the refresh scheduling of every cached token. Default: the cache's defaults.</summary>
    public RefreshAheadCacheOptions? Cache { get; set; }

    /// <summary>Gets or sets where subject tokens come from, set in code (takes precedence over
    /// <see cref="SubjectTokenFile"/> and <see cref="UseAwsCredentials"/>). Used with <see cref="Audience"/>. Default: none.</summary>
    public ISubjectTokenSource? SubjectTokenSource { get; set; }

    /// <summary>Gets or sets the HTTP client for STS, IAM Credentials and credential sources, set in code (for example
    /// from <c>IHttpClientFactory</c> through <c>AddOptions&lt;GoogleFromAwsIdentityOptions&gt;().Configure&lt;IHttpClientFactory&gt;(...)</c>).
    /// Default: a client owned by the credential.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets a last adjustment of the credential's options, after everything else is applied. Default: none.</summary>
    public Action<GoogleFederatedCredentialOptions>? ConfigureCredential { get; set; }

    /// <summary>Gets the problems met while binding from configuration, reported by validation.</summary>
    internal List<string> BindingErrors { get; } = [];
}
