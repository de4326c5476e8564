using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Settings of an AWS identity registered with <c>services.AddAwsCredentials()</c>: where the first credentials come
/// from and the roles assumed after them. Left empty, the source is found as the AWS SDKs find it, by a
/// <see cref="DefaultAwsCredentialChain"/> (access keys from the environment, then the <c>AWS_PROFILE</c> or
/// <c>[default]</c> profile, then web identity from <c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>, then the
/// ECS/EKS Pod Identity container endpoint, then EC2 instance metadata) and no role is assumed after it.
/// </summary>
/// <remarks>Bind it from configuration: <see cref="Source"/>, <see cref="Profile"/> (<c>ProfileName</c>,
/// <c>ConfigFile</c>, <c>CredentialsFile</c>), <see cref="WebIdentity"/> (<c>RoleArn</c>,
/// <c>WebIdentityTokenFile</c>, <c>RoleSessionName</c>, <c>Duration</c>), <see cref="RoleChain"/> (a list of
/// <c>RoleArn</c>, <c>RoleSessionName</c>, <c>ExternalId</c>, <c>Duration</c>, <c>SourceIdentity</c>, <c>Policy</c>),
/// <see cref="Region"/>, <see cref="StsServiceUrl"/> and <see cref="Cache"/> have keys of the same name.
/// <para>The credential keys of the AWS SDK's own <c>"AWS"</c> section (AWSSDK.Extensions.NETCore.Setup) are accepted
/// too: <c>"Profile": "name"</c> (the profile name), <c>Region</c>, <c>ProfilesLocation</c> (the shared credentials
/// file) and <c>SessionRoleArn</c> + <c>SessionName</c> (a one-role <see cref="RoleChain"/>). Binding is strict: an
/// unknown key, or an AWS SDK client setting such as <c>ServiceURL</c>, stops the start with the key's path and the
/// nearest valid key. Durations are written <c>01:00:00</c> or <c>3600s</c>; a bare number is refused.</para></remarks>
public sealed class AwsCredentialsOptions
{
    /// <summary>Gets or sets where the first credentials come from. Default: <see cref="AwsCredentialSourceKind.Auto"/>.</summary>
    public AwsCredentialSourceKind Source { get; set; } = AwsCredentialSourceKind.Auto;

    /// <summary>Gets or sets the web identity settings; unset values come from <c>AWS_ROLE_ARN</c>,
    /// <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> and <c>AWS_ROLE_SESSION_NAME</c>.</summary>
    public WebIdentityCredentialSourceOptions WebIdentity { get; set; } = new();

    /// <summary>Gets the roles assumed one after the other with the previous hop's credentials (a cross-account role
    /// chain). Default: empty.</summary>
    public IList<AssumeRoleCredentialSourceOptions> RoleChain { get; } = new List<AssumeRoleCredentialSourceOptions>();

    /// <summary>Gets or sets the region of the STS calls of every hop that sets none. Default: <c>AWS_REGION</c>, then
    /// <c>AWS_DEFAULT_REGION</c>, then <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets an STS endpoint for every hop that sets none (an emulator). Default: <c>AWS_ENDPOINT_URL_STS</c>
    /// or the regional endpoint.</summary>
    public Uri? StsServiceUrl { get; set; }

    /// <summary>Gets or sets the HTTP client of STS, container and instance metadata calls, set in code. Default: the
    /// AWS SDK's and the sources' own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets the shared config profile used by <see cref="AwsCredentialSourceKind.Profile"/>; naming a
    /// profile here (or in <c>AWS_PROFILE</c>) selects it under <see cref="AwsCredentialSourceKind.Auto"/>.</summary>
    public AwsProfileCredentialSourceOptions Profile { get; set; } = new();

    /// <summary>Gets or sets the instance metadata settings used by <see cref="AwsCredentialSourceKind.InstanceMetadata"/>.</summary>
    public Ec2InstanceMetadataCredentialSourceOptions InstanceMetadata { get; set; } = new();

    /// <summary>Gets or sets the container endpoint settings used by <see cref="AwsCredentialSourceKind.Container"/>.</summary>
    public ContainerCredentialSourceOptions Container { get; set; } = new();

    /// <summary>Gets or sets the first credentials, set in code (takes precedence over <see cref="Source"/>). Not
    /// disposed. Default: none.</summary>
    public ICredentialProvider<AwsCredentials>? SourceProvider { get; set; }

    /// <summary>Gets or sets the refresh scheduling of every hop's cache. Default: the cache's defaults.</summary>
    public RefreshAheadCacheOptions? Cache { get; set; }

    /// <summary>Gets the problems met while binding from configuration, reported by validation.</summary>
    internal List<string> BindingErrors { get; } = [];
}
