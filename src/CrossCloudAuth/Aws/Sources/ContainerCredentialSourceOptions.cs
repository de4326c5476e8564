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

    /// <summary>Gets or sets how many times a request is tried on a timeout, connection failure or server error.
    /// Default: 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the pause between attempts. Default: 200 milliseconds.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the client that sends the requests. Default: a shared client that never uses a proxy.</summary>
    public HttpClient? HttpClient { get; set; }
}
