using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Caching;

public sealed class RefreshAheadCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(1000)]
    public async Task GetAsync_ConcurrentCallersOnEmptyCache_CallUpstreamExactlyOnce(int callers)
    {
        FakeTimeProvider time = new(Start);
        GatedCredentialSource source = new(time, TimeSpan.FromHours(1), open: false);
        using RefreshAheadCache<AccessToken> cache = new(source, timeProvider: time);

        Task<AccessToken>[] waiters = Enumerable.Range(0, callers)
            .Select(_ => Task.Run(async () => await cache.GetAsync()))
            .ToArray();
        await source.CallStarted.Task;
        source.Open();
        AccessToken[] tokens = await Task.WhenAll(waiters);

        Assert.Equal(1, source.Calls);
        Assert.All(tokens, token => Assert.Equal("token-1", token.Token));
    }
}
