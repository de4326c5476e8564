using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Polly;

namespace CrossCloudAuth.Aws;

/// <summary>Creates AWSSDK.SecurityToken clients for one source's options (regional endpoint or override, our HTTP
/// client with a cap on every response body, the SDK's own retries off) and makes the calls: our retries, each attempt
/// bounded by a deadline on the source's <see cref="TimeProvider"/>.</summary>
internal sealed class StsClientFactory
{
    /// <summary>The largest STS response read (an AssumeRole answer is about 2 KiB, an error well under 1 KiB).</summary>
    public const int MaxResponseBytes = 64 * 1024;

    private const string DefaultRegion = "us-east-1";

    private static readonly Lazy<HttpClient> s_defaultClient = new(() => CreateBoundedClient(
        new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }));

    private readonly Uri? _serviceUrl;
    private readonly FixedHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline<AwsCredentials> _retry;
    private readonly string _hopName;

    public StsClientFactory(AwsStsOptions? options, ISystemEnvironment environment, string hopName, string? profileRegion = null, TimeProvider? timeProvider = null, ILogger? logger = null, HttpClient? fallbackHttpClient = null)
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

        HopRetryOptions retry = (options.Retry ?? new HopRetryOptions()).Validated(hopName);
        _hopName = hopName;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _retry = HopRetry.Create<AwsCredentials>(retry, _timeProvider, ShouldRetry, retryAfter: null, static _ => "credentials", logger);
        MaxAttempts = retry.MaxAttempts;

        Region = options.Region ?? AwsRegion.FromEnvironment(environment, hopName) ?? ValidProfileRegion(profileRegion, hopName) ?? DefaultRegion;
        Timeout = options.Timeout;
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

        // The caller's client cannot take another handler, so ours sits in front of it and forwards to it.
        HttpClient? http = options.HttpClient ?? fallbackHttpClient;
        _httpClientFactory = new FixedHttpClientFactory(http is null ? s_defaultClient.Value : CreateBoundedClient(new ForwardingHandler(http)));
    }

    /// <summary>Gets how many attempts a call makes at most.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets the signing region (and the regional endpoint's, without an override).</summary>
    public string Region { get; }

    /// <summary>Gets the deadline of each attempt.</summary>
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

        // The SDK's retries wait on real time and would multiply our deadline: ours replace them.
        config.MaxErrorRetry = 0;
        config.HttpClientFactory = _httpClientFactory;
        return new AmazonSecurityTokenServiceClient(credentials, config);
    }

    /// <summary>Makes one STS call with retries: every attempt gets its own client, its own deadline of
    /// <see cref="Timeout"/> on the source's clock, and has its errors mapped by <paramref name="mapError"/>. Retried:
    /// throttling, 5xx, network failures, missed deadlines, malformed answers; never a definitive rejection.</summary>
    /// <exception cref="CrossCloudAuthException">What <paramref name="mapError"/> made of the last attempt's error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<AwsCredentials> CallAsync(
        AWSCredentials signer,
        Func<AmazonSecurityTokenServiceClient, CancellationToken, Task<AwsCredentials>> call,
        Func<Exception, CrossCloudAuthException> mapError,
        CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            _hopName,
            async attemptToken =>
            {
                using CancellationTokenSource deadline = new(Timeout, _timeProvider);
                using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(attemptToken, deadline.Token);
                using AmazonSecurityTokenServiceClient client = Create(signer);
                StsAttempt attempt = StsAttempt.Begin();
                try
                {
                    return await call(client, linked.Token).ConfigureAwait(false);
                }
                catch (Exception error) when (!(error is OperationCanceledException && attemptToken.IsCancellationRequested))
                {
                    // The SDK rewraps what our handler and the deadline cause; what we know ourselves comes first.
                    if (attempt.ResponseTooLarge)
                    {
                        throw StsErrors.TooLarge(_hopName, EndpointDescription, MaxResponseBytes, error);
                    }

                    if (deadline.IsCancellationRequested)
                    {
                        throw StsErrors.Timeout(_hopName, EndpointDescription, Timeout, error);
                    }

                    throw mapError(error);
                }
            },
            cancellationToken);

    /// <summary>Whether a mapped STS error is worth another attempt. An expired token is not: the same token or
    /// session would be sent again.</summary>
    internal static bool ShouldRetry(Outcome<AwsCredentials> outcome) =>
        outcome.Exception is CredentialRequestFailedException { IsTransient: true } failed
        && failed.ErrorCode is not ("ExpiredToken" or "ExpiredTokenException" or StsErrors.ResponseTooLargeCode);

    /// <summary>Converts the SDK's credentials to ours (the SDK reports expiry as a UTC <see cref="DateTime"/>).</summary>
    public static AwsCredentials ToAwsCredentials(Amazon.SecurityToken.Model.Credentials credentials, string hopName)
    {
        if (credentials is null || string.IsNullOrEmpty(credentials.AccessKeyId) || string.IsNullOrEmpty(credentials.SecretAccessKey))
        {
            throw new CredentialRequestFailedException(hopName, "STS answered without credentials.", errorCode: "MalformedResponse", isTransient: true);
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

    private static HttpClient CreateBoundedClient(HttpMessageHandler inner) =>
        new(new BoundedResponseHandler(inner, MaxResponseBytes), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    /// <summary>Hands the AWS SDK the caller's <see cref="HttpClient"/> and never disposes it.</summary>
    private sealed class FixedHttpClientFactory(HttpClient client) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => client;

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
