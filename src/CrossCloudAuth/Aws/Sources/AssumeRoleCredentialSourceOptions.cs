namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="AssumeRoleCredentialSource"/>: one <c>AssumeRole</c> hop of a role chain.</summary>
public sealed class AssumeRoleCredentialSourceOptions
{
    /// <summary>Gets or sets the role to assume, such as <c>arn:aws:iam::222222222222:role/target-account-iam-role</c>. Required.</summary>
    public string? RoleArn { get; set; }

    /// <summary>Gets or sets the role session name (CloudTrail, the assumed-role ARN). Default: <c>crosscloudauth-</c>
    /// followed by the time in milliseconds.</summary>
    public string? RoleSessionName { get; set; }

    /// <summary>Gets or sets the external id the role's trust policy requires (<c>sts:ExternalId</c>), if any.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Gets or sets the requested session duration (900 s to 12 h, within the role's maximum). When the source
    /// credentials are themselves a role session (they carry a session token), AWS caps the new session at one hour
    /// (role chaining): a longer request is lowered to 3600 seconds and a warning is logged. Default: STS's (one hour).</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Gets the session tags to pass (<c>aws:PrincipalTag</c> in the target account's policies).</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the keys of <see cref="Tags"/> that pass on to later hops of the chain.</summary>
    public ISet<string> TransitiveTagKeys { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the source identity to set on the session (<c>sts:SourceIdentity</c>), which follows the
    /// chain and appears in CloudTrail.</summary>
    public string? SourceIdentity { get; set; }

    /// <summary>Gets or sets an inline session policy (JSON) that narrows the role's permissions for this session.</summary>
    public string? Policy { get; set; }

    /// <summary>Gets or sets the STS endpoint, HTTP client and timeout.</summary>
    public AwsStsOptions Sts { get; set; } = new();
}
