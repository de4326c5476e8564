using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Caching;

/// <content>Compare-and-clear invalidation of a credential a service rejected. The hit path is untouched: an
/// invalidated entry is an ordinary entry that is neither fresh nor usable, so readers fall to the slow path and wait
/// for the one shared refresh, exactly as for an expired credential.</content>
public sealed partial class RefreshAheadCache<TCredential> : IInvalidatableCredentialProvider<TCredential>
{
    /// <summary>A credential younger than this is not dropped: a service that rejects every credential then costs at
    /// most one forced refresh per this interval instead of one per request.</summary>
    internal static readonly TimeSpan MinimumAgeToInvalidate = TimeSpan.FromSeconds(30);

    internal enum InvalidationOutcome
    {
        /// <summary>The credential is not the cached one (already replaced or dropped): nothing was done.</summary>
        NotCached,

        /// <summary>This call dropped the credential; the next reader starts the refresh.</summary>
        Dropped,

        /// <summary>The credential is younger than <see cref="MinimumAgeToInvalidate"/> and is still served.</summary>
        TooRecent,

        /// <summary>The cache is disposed.</summary>
        Disposed,
    }

    /// <summary>Drops <paramref name="rejected"/> if it is still the cached credential, so that the next
    /// <see cref="GetAsync"/> waits for a new one; otherwise does nothing.</summary>
    /// <param name="rejected">The credential a service rejected.</param>
    /// <returns><see langword="true"/> when <paramref name="rejected"/> is no longer served (dropped now, or already
    /// replaced); <see langword="false"/> when it is kept because it was fetched less than 30 seconds ago (a service
    /// that rejects every credential costs at most one forced refresh per 30 seconds), or the cache is disposed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is <see langword="null"/>.</exception>
    /// <remarks>Lock-free: concurrent callers reporting the same credential drop it once and share one refresh. A
    /// refresh already in flight (a background refresh-ahead) is the one the next readers wait for.</remarks>
    public bool Invalidate(TCredential rejected) =>
        TryInvalidate(rejected) is InvalidationOutcome.NotCached or InvalidationOutcome.Dropped;

    /// <summary>As <see cref="Invalidate"/>, with the outcome for callers that hold several caches.</summary>
    internal InvalidationOutcome TryInvalidate(TCredential rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        while (true)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return InvalidationOutcome.Disposed;
            }

            Entry? entry = Volatile.Read(ref _entry);
            if (entry is null || IsInvalidated(entry) || !EqualityComparer<TCredential>.Default.Equals(entry.Value, rejected))
            {
                return InvalidationOutcome.NotCached;
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (now - entry.RefreshedAt < MinimumAgeToInvalidate)
            {
                LogSafely(static (cache, entry) => InvalidationLog.Refused(cache._logger, cache.HopName, entry.RefreshedAt, MinimumAgeToInvalidate.TotalSeconds), entry);
                return InvalidationOutcome.TooRecent;
            }

            // Unusable from the start of time: GetSlow treats it as expired and waits for the shared refresh; GetStatus
            // reports it as expired; its stale timer finds a different entry and does nothing.
            Entry dropped = new(entry.Value, entry.RefreshedAt, DateTimeOffset.MinValue, DateTimeOffset.MinValue, isFresh: false);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _entry, dropped, entry), entry))
            {
                LogSafely(static (cache, entry) => InvalidationLog.Dropped(cache._logger, cache.HopName, entry.Value.ExpiresOn), entry);
                return InvalidationOutcome.Dropped;
            }

            // The entry changed under us (marked stale, replaced, disposed): look again.
        }
    }

    private static bool IsInvalidated(Entry entry) => entry.UsableUntil == DateTimeOffset.MinValue;

    private static partial class InvalidationLog
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "The credential of {HopName} (expiring at {ExpiresOn:O}) was rejected by a service and dropped; the next request fetches a new one.")]
        public static partial void Dropped(ILogger logger, string hopName, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The credential of {HopName} was rejected by a service but kept: it was fetched at {RefreshedAt:O}, less than {MinimumAgeSeconds} s ago, and a service that rejects every credential must not cause a refresh per request.")]
        public static partial void Refused(ILogger logger, string hopName, DateTimeOffset refreshedAt, double minimumAgeSeconds);
    }
}
