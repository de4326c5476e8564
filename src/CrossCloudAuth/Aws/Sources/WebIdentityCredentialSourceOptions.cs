namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="WebIdentityCredentialSource"/>. Unset values come from the variables that EKS (IRSA)
/// and the GKE-on-AWS webhook inject into pods.</summary>
public sealed class WebIdentityCredentialSourceOptions
{
    /// <summary>Gets or sets the role to assume. Default: <c>AWS_ROLE_ARN</c>.</summary>
    public string? RoleArn { get; set; }

    /// <summary>Gets or sets the path of the projected service-account token (a JWT), re-read on every call because the
    /// kubelet rotates it. Default: <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>.</summary>
    public string? WebIdentityTokenFile { get; set; }

    /// <summary>Gets or sets the role session name, which appears in CloudTrail and in the assumed-role ARN. Default:
    /// <c>AWS_ROLE_SESSION_NAME</c>, otherwise <c>crosscloudauth-</c> followed by the time in milliseconds.</summary>
    public string? RoleSessionName { get; set; }

    /// <summary>Gets or sets the requested session duration (900 s to 12 h, within the role's maximum). Default: STS's
    /// (one hour).</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Gets or sets the STS endpoint, HTTP client and timeout.</summary>
    public AwsStsOptions Sts { get; set; } = new();
}
