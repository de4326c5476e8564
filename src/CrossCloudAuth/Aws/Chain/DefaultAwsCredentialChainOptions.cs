using CrossCloudAuth.Caching;

namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="DefaultAwsCredentialChain"/>: the settings of each step. Every value left unset comes
/// from the environment variables the AWS SDKs read.</summary>
public sealed class DefaultAwsCredentialChainOptions
{
    /// <summary>Gets or sets the profile step's settings. Default: <c>AWS_PROFILE</c>, otherwise <c>default</c>, from
    /// <c>AWS_SHARED_CREDENTIALS_FILE</c> / <c>AWS_CONFIG_FILE</c>, otherwise <c>~/.aws/credentials</c> and
    /// <c>~/.aws/config</c>.</summary>
    public AwsProfileCredentialSourceOptions Profile { get; set; } = new();

    /// <summary>Gets or sets the web identity step's settings (STS endpoint, session name, duration). The step applies
    /// only when <c>AWS_ROLE_ARN</c> and <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> are set, or when these options name a role
    /// and a token file.</summary>
    public WebIdentityCredentialSourceOptions WebIdentity { get; set; } = new();

    /// <summary>Gets or sets the container step's settings (ECS task role, EKS Pod Identity). The step applies when
    /// <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> or <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> is set, or these
    /// options set <see cref="ContainerCredentialSourceOptions.RelativeUri"/> or <see cref="ContainerCredentialSourceOptions.FullUri"/>.</summary>
    public ContainerCredentialSourceOptions Container { get; set; } = new();

    /// <summary>Gets or sets the instance metadata step's settings (the last step; off when
    /// <c>AWS_EC2_METADATA_DISABLED=true</c>).</summary>
    public Ec2InstanceMetadataCredentialSourceOptions InstanceMetadata { get; set; } = new();

    /// <summary>Gets or sets the refresh scheduling of the chosen source's cache. Default: the cache's defaults.</summary>
    public RefreshAheadCacheOptions? Cache { get; set; }

    /// <summary>Gets or sets a value indicating whether a profile this library does not resolve itself
    /// (<c>credential_process</c>, SSO, <c>mfa_serial</c>) is handed to the AWS SDK's own profile resolver, behind this
    /// chain's cache. When <see langword="false"/>, such a profile is a configuration error. Default:
    /// <see langword="true"/>.</summary>
    public bool UseAwsSdkForOtherProfiles { get; set; } = true;
}
