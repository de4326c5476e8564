using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>The plumbing every hop of an <see cref="AwsCredentialChain"/> shares: clock, loggers, HTTP client,
/// environment and cache scheduling. Given once to the entry point (<see cref="AwsCredentialChain.FromDefault"/>,
/// <see cref="AwsCredentialChain.FromWebIdentity"/>, …); every link built from it uses the same values.</summary>
/// <remarks>Read when each link is built: later changes affect only links built after them.</remarks>
public sealed class AwsCredentialChainOptions
{
    /// <summary>Gets or sets the clock of every cache, timeout and signature. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Gets or sets where each hop and cache creates its logger (one category per type). Default: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the client that carries every hop's HTTP requests (STS, instance metadata, container
    /// endpoint, Google), unless a hop's own options set one. Not disposed by the chain. Default: each hop's own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets where variables and files are read (<c>AWS_REGION</c>, <c>AWS_ROLE_ARN</c>, token files,
    /// profiles). Default: the process's.</summary>
    public ISystemEnvironment? Environment { get; set; }

    /// <summary>Gets or sets the refresh scheduling of every cache the chain creates. Default: the cache's defaults.</summary>
    public RefreshAheadCacheOptions? Cache { get; set; }

    /// <summary>A copy, so that a chain never sees later changes of the caller's object.</summary>
    internal AwsCredentialChainOptions Copy() => new()
    {
        TimeProvider = TimeProvider,
        LoggerFactory = LoggerFactory,
        HttpClient = HttpClient,
        Environment = Environment,
        Cache = Cache,
    };
}
