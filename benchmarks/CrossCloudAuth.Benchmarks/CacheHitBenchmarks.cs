using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Caching;
using Google.Apis.Auth.OAuth2;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// One thread reads a cached, fresh credential: what every outgoing request of an application pays.
/// Ours against Google.Apis.Auth's service-account credential (the baseline), the AWS SDK's refreshing
/// credentials (sync and async) and a plain lock-based cache. Every peer holds a fresh credential, so each
/// call measures its hit path, not a refresh; the setup checks that no peer refreshed during the run.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private RefreshAheadCache<AuthToken> _cache = null!;
    private Peers.InstantSource _source = null!;
    private ServiceAccountCredential _google = null!;
    private Peers.TokenEndpoint _googleEndpoint = null!;
    private Peers.AwsRefreshingCredentials _aws = null!;
    private Peers.LockingCache _locking = null!;

    [GlobalSetup]
    public void Setup()
    {
        _source = new Peers.InstantSource(TimeProvider.System, TimeSpan.FromHours(1));
        _cache = new RefreshAheadCache<AuthToken>(_source, Peers.OneProcess);
        _ = _cache.GetAsync().AsTask().GetAwaiter().GetResult();

        (_google, _googleEndpoint) = Peers.CreateGoogleCredential();

        _aws = new Peers.AwsRefreshingCredentials();
        _ = _aws.GetCredentials();

        _locking = new Peers.LockingCache(_source, TimeProvider.System);
        _ = _locking.GetAsync().Result;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // A peer that refreshed during the run would have measured something else than its hit path.
        if (_googleEndpoint.Calls != 1 || _aws.Calls != 1)
        {
            throw new InvalidOperationException($"A peer refreshed during the run (Google: {_googleEndpoint.Calls}, AWS: {_aws.Calls} calls).");
        }

        _cache.Dispose();
    }

    [Benchmark]
    public AuthToken CrossCloudAuth_RefreshAheadCache()
    {
        ValueTask<AuthToken> hit = _cache.GetAsync();
        return hit.IsCompletedSuccessfully ? hit.Result : hit.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public string GoogleApisAuth_ServiceAccountCredential() => _google.GetAccessTokenForRequestAsync().GetAwaiter().GetResult();

    [Benchmark]
    public ImmutableCredentials AwsSdk_RefreshingCredentials_GetCredentials() => _aws.GetCredentials();

    [Benchmark]
    public ImmutableCredentials AwsSdk_RefreshingCredentials_GetCredentialsAsync() => _aws.GetCredentialsAsync().GetAwaiter().GetResult();

    [Benchmark]
    public AuthToken LockBasedCache() => _locking.GetAsync().Result;
}
