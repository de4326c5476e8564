using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>The plumbing every hop of an <see cref="AwsCredentialChain"/> shares: the context given to its entry point
/// and the refresh scheduling of its caches. Fixed when the first link is built.</summary>
internal sealed class AwsCredentialChainOptions
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

    /// <summary>The plumbing of a chain started with <paramref name="context"/> and <paramref name="cache"/>.</summary>
    public static AwsCredentialChainOptions From(CredentialContext? context, RefreshAheadCacheOptions? cache) => context is null
        ? new AwsCredentialChainOptions { Cache = cache }
        : new AwsCredentialChainOptions
        {
            TimeProvider = context.TimeProvider,
            LoggerFactory = context.LoggerFactory,
            HttpClient = context.HttpClient,
            Environment = context.Environment,
            Cache = cache,
        };
}
