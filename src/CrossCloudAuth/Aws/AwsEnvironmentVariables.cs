namespace CrossCloudAuth.Aws;

/// <summary>The environment variables the AWS sources read, as the AWS SDKs and CLI name them.</summary>
internal static class AwsEnvironmentVariables
{
    public const string AccessKeyId = "AWS_ACCESS_KEY_ID";
    public const string SecretAccessKey = "AWS_SECRET_ACCESS_KEY";
    public const string SessionToken = "AWS_SESSION_TOKEN";
    public const string Region = "AWS_REGION";
    public const string DefaultRegion = "AWS_DEFAULT_REGION";
    public const string Profile = "AWS_PROFILE";
    public const string ConfigFile = "AWS_CONFIG_FILE";
    public const string SharedCredentialsFile = "AWS_SHARED_CREDENTIALS_FILE";
    public const string RoleArn = "AWS_ROLE_ARN";
    public const string WebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE";
    public const string RoleSessionName = "AWS_ROLE_SESSION_NAME";
    public const string Ec2MetadataDisabled = "AWS_EC2_METADATA_DISABLED";
    public const string Ec2MetadataEndpoint = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    public const string Ec2MetadataEndpointMode = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
    public const string ContainerRelativeUri = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    public const string ContainerFullUri = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    public const string ContainerAuthorizationToken = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    public const string ContainerAuthorizationTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    public const string EndpointUrlSts = "AWS_ENDPOINT_URL_STS";
    public const string EndpointUrl = "AWS_ENDPOINT_URL";
    public const string IgnoreConfiguredEndpointUrls = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
    public const string UseFipsEndpoint = "AWS_USE_FIPS_ENDPOINT";
    public const string UseDualStackEndpoint = "AWS_USE_DUALSTACK_ENDPOINT";

    /// <summary>Reads an AWS boolean setting (an environment variable or a shared-config key), as the AWS SDKs do:
    /// <c>true</c> or <c>false</c> in any case; <see langword="null"/> when unset or blank.</summary>
    /// <exception cref="CredentialConfigurationException">The value is something else.</exception>
    public static bool? Flag(string? value, string name, string hopName)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : value.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : throw new CredentialConfigurationException(hopName, $"{name} must be 'true' or 'false'.");
    }
}
