using CrossCloudAuth.Platform;
using Amazon.Runtime;
using Amazon.SecurityToken;
using CrossCloudAuth.Http;
using Microsoft.Extensions.Logging;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>What a flow gets: the settings, the trace, an <see cref="HttpClient"/> that records each hop.</summary>
public sealed class FlowContext : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>Initializes a new instance of the <see cref="FlowContext"/> class.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    public FlowContext(QuickstartSettings settings, CancellationToken cancellationToken)
    {
        Settings = settings;
        CancellationToken = cancellationToken;
        Http = Own(new HttpClient(new TracingHandler(Trace) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } }) { Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Gets the settings.</summary>
    public QuickstartSettings Settings { get; }

    /// <summary>Gets or sets the logger factory handed to every credential, source and cache of the flow
    /// (<see langword="null"/>: they do not log).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets the hop trace.</summary>
    public HopTrace Trace { get; } = new();

    /// <summary>Gets the traced client handed to the library (Google STS, IAM Credentials, AWS STS, IMDS).</summary>
    public HttpClient Http { get; }

    /// <summary>What every hop of a flow shares: the traced HTTP client, the logs and the flow's environment.</summary>
    /// <param name="environment">Where the flow's variables and files are read.</param>
    /// <returns>The context to hand to the library's entry points.</returns>
    public CredentialContext Context(ISystemEnvironment environment) => new()
    {
        Environment = environment,
        HttpClient = Http,
        LoggerFactory = LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
    };

    /// <summary>Gets the <see cref="System.Diagnostics.Stopwatch"/> timestamp the flow's cold time counts from.</summary>
    public long StartedAt { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Gets how many hops of the trace came before the timed part of the flow (context, not the flow itself).</summary>
    public int PreludeHops { get; private set; }

    /// <summary>Starts the flow's clock now: the hops so far are context (such as an identity check), not part of the flow.</summary>
    public void StartClock()
    {
        PreludeHops = Trace.Count;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Gets the cancellation token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Returns an <see cref="HttpClient"/> for Google APIs that adds the credential's bearer token (<see cref="GoogleBearerTokenHandler"/>) and records each call.</summary>
    /// <param name="credential">The token provider.</param>
    /// <param name="baseAddress">The API's base URL.</param>
    /// <returns>The client, disposed with the context.</returns>
    public HttpClient GoogleApi(ICredentialProvider<AuthToken> credential, Uri baseAddress) =>
        Own(new HttpClient(new GoogleBearerTokenHandler(credential, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = Settings.AllowNonStandardEndpoints })
        {
            InnerHandler = new TracingHandler(Trace) { InnerHandler = new SocketsHttpHandler() },
        })
        { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) });

    /// <summary>Returns an AWS SDK STS client over <paramref name="credentials"/> whose calls are traced.</summary>
    /// <param name="credentials">The AWS SDK credentials (a <c>CachedAwsCredentials</c>).</param>
    /// <returns>The client, disposed with the context.</returns>
    public AmazonSecurityTokenServiceClient AwsSts(AWSCredentials credentials)
    {
        var config = new AmazonSecurityTokenServiceConfig { HttpClientFactory = new FixedHttpClientFactory(Http) };
        if (Settings.AwsStsEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.AuthenticationRegion = Settings.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(Settings.Region);
        }

        return Own(new AmazonSecurityTokenServiceClient(credentials, config));
    }

    /// <summary>Disposes <paramref name="value"/> with the context.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns><paramref name="value"/>.</returns>
    public T Own<T>(T value)
        where T : IDisposable
    {
        _owned.Add(value);
        return value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private sealed class FixedHttpClientFactory(HttpClient client) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => client;

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
