using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Diagnostics;

public sealed class RefreshTelemetryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly MeterListener _meters = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public RefreshTelemetryTests()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CrossCloudAuthDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Refresh_Succeeds_RecordsRefreshAndDurationTaggedWithHop()
    {
        // Arrange
        TelemetryTestSource source = new(_time);
        using RefreshAheadCache<AuthToken> cache = source.Cache();

        // Act
        await cache.GetAsync();

        // Assert
        var refresh = Assert.Single(For(source, "crosscloudauth.credential.refreshes"));
        Assert.Equal(1, refresh.Value);
        Assert.Equal("initial", refresh.Tags["crosscloudauth.refresh.reason"]);
        Assert.Equal("success", refresh.Tags["crosscloudauth.refresh.outcome"]);
        var duration = Assert.Single(For(source, "crosscloudauth.credential.refresh.duration"));
        Assert.True(duration.Value >= 0);
        Assert.Empty(For(source, "crosscloudauth.credential.refresh.failures"));
        Assert.Single(For(source, "crosscloudauth.cache.waits"));
    }

    [Fact]
    public async Task Refresh_Fails_RecordsFailureWithErrorTypeAndWaits()
    {
        TelemetryTestSource source = new(_time, _ => throw new CredentialRequestFailedException("test:hop", "rejected"));
        using RefreshAheadCache<AuthToken> cache = source.Cache();

        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask());
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => cache.GetAsync().AsTask()); // served from the backoff

        var failure = Assert.Single(For(source, "crosscloudauth.credential.refresh.failures"));
        Assert.Equal(typeof(CredentialRequestFailedException).FullName, failure.Tags["error.type"]);
        Assert.Equal("failure", Assert.Single(For(source, "crosscloudauth.credential.refreshes")).Tags["crosscloudauth.refresh.outcome"]);
        Assert.Equal(2, For(source, "crosscloudauth.cache.waits").Count());
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Hits_AreNotMeasuredOneByOne_ButPublishedThroughTheObservableCounter()
    {
        // Arrange
        TelemetryTestSource source = new(_time);
        using RefreshAheadCache<AuthToken> cache = source.Cache();
        await cache.GetAsync();
        int measurementsBefore = _measurements.Count(m => Tagged(m.Tags, source));
        long reportedBefore = ObserveHits();

        // Act: 10,000 hits on a thread of their own (its per-thread counter starts at zero).
        Thread thread = new(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                _ = cache.GetAsync();
            }
        });
        thread.Start();
        thread.Join();

        // Assert: no per-hit measurement; at least the full batches of 1,024 hits are published.
        Assert.Equal(measurementsBefore, _measurements.Count(m => Tagged(m.Tags, source)));
        Assert.True(ObserveHits() - reportedBefore >= 9_000, "the full batches of hits are published");
    }

    [Fact]
    public async Task TimeToExpiry_IsObservedPerHop()
    {
        TelemetryTestSource source = new(_time);
        using RefreshAheadCache<AuthToken> cache = source.Cache();
        await cache.GetAsync();
        _time.Advance(TimeSpan.FromMinutes(10));

        _meters.RecordObservableInstruments();

        var gauge = Assert.Single(For(source, "crosscloudauth.credential.time_to_expiry"));
        Assert.Equal(3000, gauge.Value, precision: 3);
        Assert.Equal("fresh", gauge.Tags["crosscloudauth.cache.state"]);
    }

    [Fact]
    public async Task TimeToExpiry_DisposedCache_IsNoLongerObserved()
    {
        TelemetryTestSource source = new(_time);
        RefreshAheadCache<AuthToken> cache = source.Cache();
        await cache.GetAsync();

        cache.Dispose();
        _meters.RecordObservableInstruments();

        Assert.Empty(For(source, "crosscloudauth.credential.time_to_expiry"));
    }

    private long ObserveHits()
    {
        long total = 0;
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CrossCloudAuthDiagnostics.MeterName && instrument.Name == "crosscloudauth.cache.hits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => total = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return total;
    }

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> For(TelemetryTestSource source, string instrument) =>
        _measurements.Where(m => m.Instrument == instrument && Tagged(m.Tags, source));

    private static bool Tagged(Dictionary<string, object?> tags, TelemetryTestSource source) =>
        tags.TryGetValue("crosscloudauth.hop", out object? hop) && Equals(hop, source.HopName);

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        Dictionary<string, object?> copy = new(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }
}
