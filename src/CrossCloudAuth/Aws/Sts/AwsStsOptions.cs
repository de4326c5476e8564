namespace CrossCloudAuth.Aws;

/// <summary>
/// Where and how the AWS STS calls of a source are made (through AWSSDK.SecurityToken's
/// <c>AmazonSecurityTokenServiceClient</c>): the regional endpoint, an endpoint override for tests and emulators,
/// the HTTP client and the timeout.
/// </summary>
public sealed class AwsStsOptions
{
    /// <summary>Gets or sets the region whose regional STS endpoint (<c>https://sts.{region}.amazonaws.com</c>) is
    /// called; also the signing region with <see cref="ServiceUrl"/>. Default: <c>AWS_REGION</c>, then
    /// <c>AWS_DEFAULT_REGION</c>, then the profile's <c>region</c> when read from a profile, then <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets an endpoint that replaces the regional one, such as a local emulator's
    /// <c>http://127.0.0.1:4566</c>. Default: <c>AWS_ENDPOINT_URL_STS</c> when set. Must be https, or http to a loopback
    /// address.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Gets or sets the client that carries the STS requests. Default: the AWS SDK's own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the bound on each STS call, retries included. Default: 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times the AWS SDK retries a throttled or failed call. Default: the SDK's
    /// (currently 2 retries in the standard retry mode).</summary>
    public int? MaxErrorRetry { get; set; }

    internal AwsStsOptions Clone() => (AwsStsOptions)MemberwiseClone();
}
