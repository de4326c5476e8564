using CrossCloudAuth.Caching;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Diagnostics;

/// <summary>A token source with a hop name unique to the test, so that process-wide listeners can pick out its
/// measurements and activities while other tests run in parallel.</summary>
internal sealed class TelemetryTestSource(FakeTimeProvider time, Func<int, AuthToken>? answer = null) : ICredentialProvider<AuthToken>
{
    private int _calls;

    public string HopName { get; } = "test:telemetry(" + Guid.NewGuid().ToString("N") + ")";

    public int Calls => Volatile.Read(ref _calls);

    public Func<CancellationToken, ValueTask>? BeforeAnswer { get; set; }

    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        if (BeforeAnswer is not null)
        {
            await BeforeAnswer(cancellationToken);
        }

        return answer is null ? new AuthToken("token-" + call, time.GetUtcNow().AddHours(1)) : answer(call);
    }

    public RefreshAheadCache<AuthToken> Cache() => new(this, new RefreshAheadCacheOptions { JitterRatio = 0, SpreadFirstRefresh = false }, time);
}
