using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Caching.CacheTest;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheStatusTests
{
    [Fact]
    public async Task GetStatus_ThroughALifetime_ReportsEmptyFreshStaleExpiredAndFailures()
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);

        CredentialCacheStatus empty = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Empty, empty.State);
        Assert.False(empty.HasUsableCredential);
        Assert.Equal("test:gated", empty.HopName);
        Assert.Null(empty.ExpiresOn);

        await cache.GetAsync().AsTask().HangGuard();
        CredentialCacheStatus fresh = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Fresh, fresh.State);
        Assert.True(fresh.HasUsableCredential);
        Assert.Equal(Start + TimeSpan.FromHours(1), fresh.ExpiresOn);
        Assert.Equal(OneHourRefreshAt, fresh.RefreshAt);
        Assert.Equal(OneHourUsableUntil, fresh.UsableUntil);
        Assert.Equal(Start, fresh.LastRefreshedAt);
        Assert.Null(fresh.LastError);

        time.SetUtcNow(OneHourRefreshAt);
        Assert.Equal(CredentialCacheState.Stale, cache.GetStatus().State);
        Assert.True(cache.GetStatus().HasUsableCredential);

        CredentialRequestFailedException error = new("test:gated", "boom");
        source.FailNext(error);
        _ = cache.GetAsync();
        await cache.SettleAsync();
        CredentialCacheStatus failed = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Stale, failed.State);
        Assert.Same(error, failed.LastError);
        Assert.Equal(1, failed.ConsecutiveFailures);
        Assert.Equal(OneHourRefreshAt + TimeSpan.FromSeconds(1), failed.NextAttemptAt);

        time.SetUtcNow(OneHourUsableUntil);
        CredentialCacheStatus expired = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Expired, expired.State);
        Assert.False(expired.HasUsableCredential);

        AuthToken renewed = await cache.GetAsync().AsTask().HangGuard();
        CredentialCacheStatus recovered = cache.GetStatus();
        Assert.Equal(CredentialCacheState.Fresh, recovered.State);
        Assert.Equal(renewed.ExpiresOn, recovered.ExpiresOn);
        Assert.Equal(OneHourUsableUntil, recovered.LastRefreshedAt);
        Assert.Null(recovered.LastError);
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Null(recovered.NextAttemptAt);
    }

    [Fact]
    public async Task GetStatus_ToString_ContainsNoSecret()
    {
        FakeTimeProvider time = new(Start);
        DelegateCredentialSource<AuthToken> source = new((_, _) =>
            ValueTask.FromResult(new AuthToken("ya29.super-secret-token", time.GetUtcNow() + TimeSpan.FromHours(1))));
        using RefreshAheadCache<AuthToken> cache = Create(source, time);
        await cache.GetAsync().AsTask().HangGuard();

        Assert.DoesNotContain("super-secret", cache.GetStatus().ToString(), StringComparison.Ordinal);
    }
}
