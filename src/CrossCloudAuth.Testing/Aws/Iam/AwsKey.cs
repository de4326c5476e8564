namespace CrossCloudAuth.Testing.Aws.Iam;

/// <summary>An access key the emulated AWS issued: a user's long-term key or a role session's temporary one.</summary>
internal sealed record AwsKey(
    string AccessKeyId,
    string SecretAccessKey,
    string? SessionToken,
    DateTimeOffset? Expiration,
    string AccountId,
    string CallerArn,
    string UserId,
    AwsRole? Role,
    string? SessionName)
{
    /// <summary>Gets the ARN a trust policy matches: the role ARN for a role session, else the caller ARN.</summary>
    public string PrincipalArn => Role?.Arn ?? CallerArn;

    public bool IsRoleSession => Role is not null;
}
