namespace CrossCloudAuth.DependencyInjection;

/// <summary>Where the first AWS credentials of a registered AWS identity come from.</summary>
public enum AwsCredentialSourceKind
{
    /// <summary>The first that is configured here, in the AWS SDKs' order: <see cref="WebIdentity"/> when its options
    /// name a role or token file; otherwise <see cref="Environment"/> when <c>AWS_ACCESS_KEY_ID</c> is set, then
    /// <see cref="Profile"/> when a profile is named (options or <c>AWS_PROFILE</c>), then <see cref="WebIdentity"/>
    /// when <c>AWS_ROLE_ARN</c> and <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> are set, then <see cref="Container"/> when
    /// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> or <c>_FULL_URI</c> is set, then <see cref="InstanceMetadata"/>.</summary>
    Auto = 0,

    /// <summary><c>AssumeRoleWithWebIdentity</c> with a projected service-account token (EKS IRSA, the GKE-on-AWS webhook).</summary>
    WebIdentity = 1,

    /// <summary>Access keys from <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>.</summary>
    Environment = 2,

    /// <summary>The ECS task role or EKS Pod Identity container credentials endpoint.</summary>
    Container = 3,

    /// <summary>The EC2 instance role, through IMDSv2.</summary>
    InstanceMetadata = 4,

    /// <summary>A profile of the shared config and credentials files (<c>role_arn</c>, <c>source_profile</c>,
    /// <c>web_identity_token_file</c>, <c>credential_source</c>, static keys).</summary>
    Profile = 5,
}
