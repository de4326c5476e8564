using System.Collections.Concurrent;
using System.Diagnostics;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Diagnostics;

public sealed class RefreshTracingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public RefreshTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CrossCloudAuthDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Refresh_StartsOneSpanPerHopRefresh_WithHopTagsAndNoSecret()
    {
        TelemetryTestSource source = new(_time);
        using RefreshAheadCache<AuthToken> cache = source.Cache();

        AuthToken token = await cache.GetAsync();
        await cache.GetAsync(); // a hit: no span

        Activity span = Assert.Single(SpansOf(source));
        Assert.Equal(CrossCloudAuthDiagnostics.RefreshActivityName, span.OperationName);
        Assert.Equal("refresh " + source.HopName, span.DisplayName);
        Assert.Equal("initial", span.GetTagItem("crosscloudauth.refresh.reason"));
        Assert.Equal("success", span.GetTagItem("crosscloudauth.refresh.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.DoesNotContain(span.TagObjects, t => t.Value is string s && s.Contains(token.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_Fails_SpanHasErrorStatusAndType()
    {
        TelemetryTestSource source = new(_time, _ => throw new CredentialSourceUnavailableException("test:hop", "not here"));
        using RefreshAheadCache<AuthToken> cache = source.Cache();

        await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => cache.GetAsync().AsTask());

        Activity span = Assert.Single(SpansOf(source));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(CredentialSourceUnavailableException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Refresh_TriggeredByAnotherHopsRefresh_IsItsChildSpan()
    {
        // Arrange: an impersonation-like hop whose refresh needs the upstream hop's credential.
        TelemetryTestSource upstream = new(_time);
        using RefreshAheadCache<AuthToken> upstreamCache = upstream.Cache();
        TelemetryTestSource downstream = new(_time);
        downstream.BeforeAnswer = async ct => await upstreamCache.GetAsync(ct);
        using RefreshAheadCache<AuthToken> downstreamCache = downstream.Cache();

        // Act: the application's request has a span of its own; the refresh must not hang under it.
        using ActivitySource app = new("test.app");
        using ActivityListener appListener = new()
        {
            ShouldListenTo = s => s.Name == "test.app",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(appListener);
        using (Activity? request = app.StartActivity("request"))
        {
            await downstreamCache.GetAsync();
        }

        // Assert
        Activity parent = Assert.Single(SpansOf(downstream));
        Activity child = Assert.Single(SpansOf(upstream));
        Assert.Equal(parent.SpanId, child.ParentSpanId);
        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.Equal(default, parent.ParentSpanId);
    }

    private IEnumerable<Activity> SpansOf(TelemetryTestSource source) =>
        _stopped.Where(a => Equals(a.GetTagItem("crosscloudauth.hop"), source.HopName));
}
