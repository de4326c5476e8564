namespace CrossCloudAuth.DependencyInjection;

/// <summary>Where the first AWS credentials of a registered AWS identity come from.</summary>
public enum AwsCredentialSourceKind
{
    /// <summary><see cref="WebIdentity"/> when the options name a role or token file, <see cref="Profile"/> when the
    /// options name a profile; otherwise the <see cref="Aws.DefaultAwsCredentialChain"/>, chosen once in the AWS SDKs'
    /// order: access keys from the environment, then the <c>AWS_PROFILE</c> (else <c>[default]</c>) profile, then
    /// <c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>, then the ECS / EKS Pod Identity container endpoint,
    /// then EC2 instance metadata.</summary>
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
