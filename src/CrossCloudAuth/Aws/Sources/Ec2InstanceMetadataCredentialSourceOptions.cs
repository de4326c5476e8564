using CrossCloudAuth.Http;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Options of <see cref="Ec2InstanceMetadataCredentialSource"/>. The defaults talk IMDSv2 to
/// <c>http://169.254.169.254</c> with short timeouts, so that a host that is not an EC2 instance fails fast.
/// </summary>
/// <remarks>
/// A <c>gcloud</c> credential configuration with <c>"environment_id": "aws1"</c> maps onto these options:
/// <c>url</c> → <see cref="CredentialsUrl"/>, <c>region_url</c> → <see cref="RegionUrl"/>,
/// <c>imdsv2_session_token_url</c> → <see cref="SessionTokenUrl"/>. Unlike Google's libraries, IMDSv2 is used even when
/// the configuration names no session token URL (the token URL is then derived from <see cref="CredentialsUrl"/>), and
/// IMDSv1 is used only when <see cref="AllowImdsV1"/> says so.
/// </remarks>
public sealed class Ec2InstanceMetadataCredentialSourceOptions
{
    /// <summary>Gets or sets the metadata service's base address. Default: <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> when
    /// set, otherwise <c>http://[fd00:ec2::254]</c> when <c>AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE</c> is <c>IPv6</c>,
    /// otherwise <c>http://169.254.169.254</c>. Must be a link-local metadata address or a loopback address (a local
    /// emulator) unless <see cref="AllowAnyEndpoint"/> is set.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the full URL that lists the instance's role, to which the role name is appended (a credential
    /// configuration's <c>url</c>). Default: <c>{Endpoint}/latest/meta-data/iam/security-credentials/</c>.</summary>
    public Uri? CredentialsUrl { get; set; }

    /// <summary>Gets or sets the full URL of the region or availability-zone document (a credential configuration's
    /// <c>region_url</c>). A URL ending in <c>availability-zone</c> has the zone letter dropped from its answer. Default:
    /// <c>{Endpoint}/latest/meta-data/placement/region</c>, falling back to <c>placement/availability-zone</c>.</summary>
    public Uri? RegionUrl { get; set; }

    /// <summary>Gets or sets the full URL of the IMDSv2 session token (a credential configuration's
    /// <c>imdsv2_session_token_url</c>). Default: <c>/latest/api/token</c> on the same host as
    /// <see cref="CredentialsUrl"/>.</summary>
    public Uri? SessionTokenUrl { get; set; }

    /// <summary>Gets or sets the instance role's name, which skips the role listing. Default: the first role listed.</summary>
    public string? RoleName { get; set; }

    /// <summary>Gets or sets a value indicating whether to use IMDSv2 session tokens. Default: <see langword="true"/>.</summary>
    public bool UseImdsV2 { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether IMDSv1 (no session token) may be used when IMDSv2 is off or
    /// the service refuses or ignores the token request. Default: <see langword="false"/>, because IMDSv1 is what SSRF
    /// attacks steal credentials through.</summary>
    public bool AllowImdsV1 { get; set; }

    /// <summary>Gets or sets the lifetime requested for an IMDSv2 session token (header
    /// <c>X-aws-ec2-metadata-token-ttl-seconds</c>). A token is reused until shortly before it expires and renewed once
    /// when the service answers 401. Default: 300 seconds, as Google's libraries request; AWS accepts 1 s to 6 h.</summary>
    public TimeSpan SessionTokenTtl { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Gets or sets the timeout of each request. Default: 1 second, because the metadata service answers in
    /// milliseconds and a host without one must fail fast.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how a request is retried when it times out, cannot connect or gets a server error or
    /// throttling (never on 401, 403 or 404). Default: <see langword="null"/>: 2 attempts, 100 ms base backoff, 1 s max
    /// delay, so that a host that is not an EC2 instance fails within about 2 × <see cref="RequestTimeout"/> + 1 s per
    /// request (the AWS SDKs also try twice).</summary>
    public HopRetryOptions? Retry { get; set; }

    /// <summary>Gets or sets the client that sends the requests. Default: a shared client that never uses a proxy.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets a value indicating whether endpoints other than the link-local metadata addresses and
    /// loopback are accepted. Default: <see langword="false"/>, so that a credential configuration from an untrusted
    /// source cannot send requests (and session tokens) elsewhere.</summary>
    public bool AllowAnyEndpoint { get; set; }

    /// <summary>The retry settings used when <see cref="Retry"/> is not set.</summary>
    internal static HopRetryOptions DefaultRetry() =>
        new() { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
}
