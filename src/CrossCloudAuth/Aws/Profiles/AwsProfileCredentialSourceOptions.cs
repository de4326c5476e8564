namespace CrossCloudAuth.Aws;

/// <summary>Options of <see cref="AwsProfileCredentialSource"/>.</summary>
public sealed class AwsProfileCredentialSourceOptions
{
    /// <summary>Gets or sets the profile to use. Default: <c>AWS_PROFILE</c>, otherwise <c>default</c>.</summary>
    public string? ProfileName { get; set; }

    /// <summary>Gets or sets the shared config file. Default: <c>AWS_CONFIG_FILE</c>, otherwise <c>~/.aws/config</c>.</summary>
    public string? ConfigFile { get; set; }

    /// <summary>Gets or sets the shared credentials file. Default: <c>AWS_SHARED_CREDENTIALS_FILE</c>, otherwise
    /// <c>~/.aws/credentials</c>.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Gets or sets the STS endpoint, HTTP client and timeout used by every role of the profile chain. Unless
    /// set here or by <c>AWS_REGION</c>, the STS region is the profile's <c>region</c>.</summary>
    public AwsStsOptions Sts { get; set; } = new();

    /// <summary>Gets or sets the instance metadata options used by <c>credential_source = Ec2InstanceMetadata</c>.</summary>
    public Ec2InstanceMetadataCredentialSourceOptions? InstanceMetadata { get; set; }

    /// <summary>Gets or sets the container options used by <c>credential_source = EcsContainer</c>.</summary>
    public ContainerCredentialSourceOptions? Container { get; set; }
}
