using CrossCloudAuth.Http;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Where and how the AWS STS calls of a source (<c>AssumeRole</c>, <c>AssumeRoleWithWebIdentity</c>) are made: the
/// regional endpoint, an endpoint override for tests and emulators, the HTTP client, the timeout and the retries.
/// </summary>
public sealed class AwsStsOptions
{
    /// <summary>Gets or sets the region whose regional STS endpoint (<c>https://sts.{region}.amazonaws.com</c>, in the
    /// region's partition; its FIPS or dual-stack variant when <c>AWS_USE_FIPS_ENDPOINT</c> or
    /// <c>AWS_USE_DUALSTACK_ENDPOINT</c> is <c>true</c>, or the profile's <c>use_fips_endpoint</c> /
    /// <c>use_dualstack_endpoint</c> for a source read from a profile) is called; also the signing region with <see cref="ServiceUrl"/>.
    /// Default: <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>, then the profile's <c>region</c> when read from a
    /// profile, then <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets an endpoint that replaces the regional one, such as a local emulator's
    /// <c>http://127.0.0.1:4566</c>. Default: <c>AWS_ENDPOINT_URL_STS</c>, else <c>AWS_ENDPOINT_URL</c>, when set (and
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is not <c>true</c>). Must be https, or http to a loopback address,
    /// without user info or a query.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Gets or sets the client that carries the STS requests. Default: a shared client of this library. Either
    /// way, every response body is capped at 64 KiB.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the deadline of each attempt of an STS call, measured on the source's
    /// <see cref="TimeProvider"/>. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how STS calls are retried: on throttling, 5xx, network failures, missed deadlines and
    /// malformed answers; never on a definitive rejection (AccessDenied, InvalidIdentityToken, ExpiredToken, validation
    /// errors). Default: <see langword="null"/>, the
    /// <see cref="HopRetryOptions"/> defaults: 3 attempts, 200 ms base backoff, 5 s max delay, so a call takes at most
    /// 3 × 10 s + 2 × 5 s = 40 s with the default <see cref="Timeout"/>.</summary>
    public HopRetryOptions? Retry { get; set; }

    /// <summary>Gets or sets the profile's <c>use_fips_endpoint</c>, when the source comes from a profile
    /// (<c>AWS_USE_FIPS_ENDPOINT</c> wins over it, as in the AWS SDKs).</summary>
    internal bool? ProfileUseFipsEndpoint { get; set; }

    /// <summary>Gets or sets the profile's <c>use_dualstack_endpoint</c>, when the source comes from a profile
    /// (<c>AWS_USE_DUALSTACK_ENDPOINT</c> wins over it).</summary>
    internal bool? ProfileUseDualStackEndpoint { get; set; }

    internal AwsStsOptions Clone() => (AwsStsOptions)MemberwiseClone();
}
