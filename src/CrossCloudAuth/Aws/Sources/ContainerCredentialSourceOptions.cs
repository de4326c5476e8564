using CrossCloudAuth.Http;

namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="ContainerCredentialSource"/>. Unset values come from the variables that ECS and the
/// EKS Pod Identity agent inject.</summary>
public sealed class ContainerCredentialSourceOptions
{
    /// <summary>Gets or sets the path on the ECS credential endpoint <c>http://169.254.170.2</c>. Default:
    /// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>. Takes precedence over <see cref="FullUri"/>.</summary>
    public string? RelativeUri { get; set; }

    /// <summary>Gets or sets the full credential endpoint URL (EKS Pod Identity: <c>http://169.254.170.23/v1/credentials</c>).
    /// Default: <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c>. Plain http is accepted only to the hosts the AWS SDKs allow:
    /// loopback, <c>169.254.170.2</c>, <c>169.254.170.23</c> and <c>fd00:ec2::23</c>; https to any host.</summary>
    public Uri? FullUri { get; set; }

    /// <summary>Gets or sets the file holding the <c>Authorization</c> header value, re-read on every call (EKS Pod
    /// Identity rotates it). Default: <c>AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE</c>. Takes precedence over
    /// <see cref="AuthorizationToken"/>.</summary>
    public string? AuthorizationTokenFile { get; set; }

    /// <summary>Gets or sets the <c>Authorization</c> header value. Default: <c>AWS_CONTAINER_AUTHORIZATION_TOKEN</c>,
    /// re-read on every call.</summary>
    public string? AuthorizationToken { get; set; }

    /// <summary>Gets or sets the timeout of each request. Default: 2 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how a request is retried on a timeout, connection failure, server error or throttling
    /// (never on 401, 403 or 404). Default: <see langword="null"/>, the <see cref="HopRetryOptions"/> defaults
    /// (3 attempts, 200 ms base backoff, 5 s max delay): with the 2-second <see cref="RequestTimeout"/>, at most
    /// 3 × 2 s + 2 × 5 s = 16 s.</summary>
    public HopRetryOptions? Retry { get; set; }

    /// <summary>Gets or sets the client that sends the requests. Default: a shared client that never uses a proxy.</summary>
    public HttpClient? HttpClient { get; set; }
}
