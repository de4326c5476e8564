using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>Creates AWSSDK.SecurityToken clients for one source's options: regional endpoint or override, our HTTP
/// client, the retry count.</summary>
internal sealed class StsClientFactory
{
    private const string DefaultRegion = "us-east-1";

    private readonly Uri? _serviceUrl;
    private readonly int? _maxErrorRetry;
    private readonly FixedHttpClientFactory? _httpClientFactory;

    public StsClientFactory(AwsStsOptions? options, ISystemEnvironment environment, string hopName, string? profileRegion = null)
    {
        options ??= new AwsStsOptions();
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new CredentialConfigurationException(hopName, "The STS Timeout must be positive.");
        }

        if (options.Region is not null && !AwsRegion.IsValid(options.Region))
        {
            throw new CredentialConfigurationException(hopName, $"The STS Region '{options.Region}' is not an AWS region name such as 'us-east-2'.");
        }

        if (options.MaxErrorRetry is < 0)
        {
            throw new CredentialConfigurationException(hopName, "The STS MaxErrorRetry must not be negative.");
        }

        Region = options.Region ?? AwsRegion.FromEnvironment(environment, hopName) ?? ValidProfileRegion(profileRegion, hopName) ?? DefaultRegion;
        Timeout = options.Timeout;
        _maxErrorRetry = options.MaxErrorRetry;
        _serviceUrl = options.ServiceUrl ?? ServiceUrlFromEnvironment(environment, hopName);
        if (_serviceUrl is not null)
        {
            bool allowed = _serviceUrl.IsAbsoluteUri
                && string.IsNullOrEmpty(_serviceUrl.UserInfo)
                && (_serviceUrl.Scheme == Uri.UriSchemeHttps || (_serviceUrl.Scheme == Uri.UriSchemeHttp && _serviceUrl.IsLoopback));
            if (!allowed)
            {
                throw new CredentialConfigurationException(hopName, $"The STS service URL '{_serviceUrl.Scheme}://{_serviceUrl.Host}' must be https, or http to a loopback address (a local emulator).");
            }
        }

        _httpClientFactory = options.HttpClient is null ? null : new FixedHttpClientFactory(options.HttpClient);
    }

    /// <summary>Gets the signing region (and the regional endpoint's, without an override).</summary>
    public string Region { get; }

    /// <summary>Gets the bound on each call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets a description of the endpoint for messages.</summary>
    public string EndpointDescription => _serviceUrl?.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) ?? $"sts.{Region}.amazonaws.com";

    /// <summary>Creates a client that signs with <paramref name="credentials"/> (anonymous for web identity).</summary>
    public AmazonSecurityTokenServiceClient Create(AWSCredentials credentials)
    {
        AmazonSecurityTokenServiceConfig config = new();
        if (_serviceUrl is not null)
        {
            config.ServiceURL = _serviceUrl.AbsoluteUri;
            config.AuthenticationRegion = Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }

        if (_maxErrorRetry is int retries)
        {
            config.MaxErrorRetry = retries;
        }

        if (_httpClientFactory is not null)
        {
            config.HttpClientFactory = _httpClientFactory;
        }

        return new AmazonSecurityTokenServiceClient(credentials, config);
    }

    /// <summary>Converts the SDK's credentials to ours (the SDK reports expiry as a UTC <see cref="DateTime"/>).</summary>
    public static AwsCredentials ToAwsCredentials(Amazon.SecurityToken.Model.Credentials credentials, string hopName)
    {
        if (credentials is null || string.IsNullOrEmpty(credentials.AccessKeyId) || string.IsNullOrEmpty(credentials.SecretAccessKey))
        {
            throw new AuthenticationFailedException(hopName, "STS answered without credentials.", errorCode: "MalformedResponse", isTransient: true);
        }

        DateTimeOffset? expiresOn = credentials.Expiration is DateTime expiration
            ? new DateTimeOffset(expiration.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(expiration, DateTimeKind.Utc) : expiration.ToUniversalTime())
            : null;
        return new AwsCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, expiresOn);
    }

    /// <summary>Converts our credentials to an AWS SDK credentials object (for signing STS calls).</summary>
    public static AWSCredentials ToSdkCredentials(AwsCredentials credentials) =>
        credentials.SessionToken is null
            ? new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey)
            : new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);

    private static string? ValidProfileRegion(string? region, string hopName)
    {
        if (region is null)
        {
            return null;
        }

        return AwsRegion.IsValid(region)
            ? region
            : throw new CredentialConfigurationException(hopName, $"The profile's region '{region}' is not an AWS region name such as 'us-east-2'.");
    }

    private static Uri? ServiceUrlFromEnvironment(ISystemEnvironment environment, string hopName)
    {
        string? value = environment.GetEnvironmentVariable(AwsEnvironmentVariables.EndpointUrlSts)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out Uri? url)
            ? url
            : throw new CredentialConfigurationException(hopName, "AWS_ENDPOINT_URL_STS is not an absolute URL such as 'https://sts.us-east-2.amazonaws.com'.");
    }

    /// <summary>Hands the AWS SDK the caller's <see cref="HttpClient"/> and never disposes it.</summary>
    private sealed class FixedHttpClientFactory(HttpClient client) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => client;

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
