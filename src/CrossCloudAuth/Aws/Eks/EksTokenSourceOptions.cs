namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="EksTokenSource"/>.</summary>
public sealed class EksTokenSourceOptions
{
    /// <summary>Gets or sets the cluster's name (for an EKS local cluster on Outposts, its id), signed as the
    /// <c>x-k8s-aws-id</c> header. Required.</summary>
    public string? ClusterName { get; set; }

    /// <summary>Gets or sets the region whose STS endpoint the token is presigned for. Default: <c>AWS_REGION</c>, then
    /// <c>AWS_DEFAULT_REGION</c>, then <c>us-east-1</c>. The host follows the region's partition
    /// (<c>sts.cn-north-1.amazonaws.com.cn</c> in aws-cn, <c>sts.us-gov-west-1.amazonaws.com</c> in aws-us-gov); the
    /// cluster accepts any regional STS endpoint of its partition.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets an STS endpoint that replaces the regional one (a VPC endpoint, a local emulator). Default:
    /// the environment's <c>AWS_ENDPOINT_URL_STS</c>, then <c>AWS_ENDPOINT_URL</c> (unless
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true), as for the library's AWS STS calls; otherwise the regional
    /// endpoint. It must be https, or http to a loopback address, without user info.</summary>
    public Uri? StsEndpoint { get; set; }

    /// <summary>Gets or sets how long before the server stops accepting a token it is reported as expired. Default:
    /// 1 minute (the server accepts a token for 15 minutes after signing, so tokens are reported as lasting 14).</summary>
    public TimeSpan ExpiryMargin { get; set; } = TimeSpan.FromMinutes(1);
}
