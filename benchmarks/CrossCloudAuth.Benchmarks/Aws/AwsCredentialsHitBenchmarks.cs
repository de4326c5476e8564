using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Benchmarks.Aws;

/// <summary>
/// The hot path of AWS SDK clients: <c>AWSCredentials.GetCredentials</c> / <c>GetCredentialsAsync</c> on a cached,
/// fresh credential. The AWS SDK's <see cref="RefreshingAWSCredentials"/> (the baseline, with the 15-minute preempt
/// window its providers use) against <see cref="CachedAwsCredentials"/> over this library's refresh-ahead cache.
/// Both hold credentials that expire in an hour, so every call is a hit.
/// </summary>
[MemoryDiagnoser]
public class AwsCredentialsHitBenchmarks
{
    private FixedRefreshingCredentials _sdk = null!;
    private CachedAwsCredentials _ours = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sdk = new FixedRefreshingCredentials();
        _ = _sdk.GetCredentials();
        _ours = CachedAwsCredentials.Create(new FixedSource());
        _ = _ours.GetCredentialsAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _sdk.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ImmutableCredentials Sdk_RefreshingAWSCredentials_GetCredentials() => _sdk.GetCredentials();

    [Benchmark]
    public ImmutableCredentials Ours_CachedAwsCredentials_GetCredentials() => _ours.GetCredentials();

    [Benchmark]
    public Task<ImmutableCredentials> Sdk_RefreshingAWSCredentials_GetCredentialsAsync() => _sdk.GetCredentialsAsync();

    [Benchmark]
    public Task<ImmutableCredentials> Ours_CachedAwsCredentials_GetCredentialsAsync() => _ours.GetCredentialsAsync();

    private sealed class FixedRefreshingCredentials : RefreshingAWSCredentials
    {
        public FixedRefreshingCredentials()
        {
            PreemptExpiryTime = TimeSpan.FromMinutes(15);
        }

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            new(new ImmutableCredentials("ASIABENCHMARK0000001", "secret", "token"), DateTime.UtcNow.AddHours(1));
    }

    private sealed class FixedSource : ICredentialProvider<AwsCredentials>
    {
        public string HopName => "benchmark:fixed";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new AwsCredentials("ASIABENCHMARK0000001", "secret", "token", TimeProvider.System.GetUtcNow().AddHours(1)));
    }
}
