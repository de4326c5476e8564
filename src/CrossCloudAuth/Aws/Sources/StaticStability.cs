using System.Globalization;
using System.Net;
using CrossCloudAuth.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Static stability for an instance credential source (instance metadata, container endpoint): remembers the last
/// credentials the source returned and, while the endpoint is down, serves them again with a short, jittered,
/// bounded extension of their expiry instead of failing (as the AWS SDKs do). See docs/reliability.md.
/// </summary>
/// <remarks>
/// <para>An extension is granted only when the fetch failed with an outage (5xx, 429 or 408 after the hop's retries,
/// a missed deadline, or a connection failure), never on a definitive answer (401, 403, 404), a malformed answer or a
/// configuration error; only when the last credentials expire within <see cref="Window"/> (or have expired); and
/// never past <see cref="MaximumTotalExtension"/> after the expiry the endpoint originally reported. Each extension
/// lasts between <see cref="MinimumExtension"/> and <see cref="MaximumExtension"/> (jittered), so a refresh-ahead
/// cache asks the endpoint again once per extension.</para>
/// <para>Thread-safe: the remembered state is replaced atomically, and concurrent failing calls share one
/// extension (one warning).</para>
/// </remarks>
internal sealed class StaticStability
{
    /// <summary>The last credentials are extended only when they expire within this window (or have expired).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>The shortest extension: an extension never lasts less, so extensions cannot shrink towards a hot loop.</summary>
    public static readonly TimeSpan MinimumExtension = TimeSpan.FromMinutes(5);

    /// <summary>The longest extension.</summary>
    public static readonly TimeSpan MaximumExtension = TimeSpan.FromMinutes(10);

    /// <summary>No extended expiry lies further than this past the expiry the endpoint reported.</summary>
    public static readonly TimeSpan MaximumTotalExtension = TimeSpan.FromHours(1);

    /// <summary>Callers failing within this long of an extension share it instead of extending again.</summary>
    private static readonly TimeSpan ShareWindow = TimeSpan.FromMinutes(1);

    private readonly string _hopName;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly Log _log;
    private State? _state;

    /// <summary>Initializes a new instance of the <see cref="StaticStability"/> class.</summary>
    /// <param name="hopName">The source's hop, for the log.</param>
    /// <param name="firstEventId">The first of the three consecutive event ids the source logs extensions with.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Receives one warning per extension.</param>
    /// <param name="random">Draws the jitter in [0, 1); <see cref="Random.Shared"/> when <see langword="null"/>.</param>
    public StaticStability(string hopName, int firstEventId, TimeProvider timeProvider, ILogger logger, Func<double>? random)
    {
        _log = new Log(firstEventId);
        _hopName = hopName;
        _timeProvider = timeProvider;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Gets the number of extensions served since the endpoint last answered (0 when it answers).</summary>
    public int Extensions => Volatile.Read(ref _state)?.Extensions ?? 0;

    /// <summary>Fetches fresh credentials and remembers them; when the fetch fails with an outage, serves the last
    /// credentials extended instead, within the bound; otherwise rethrows the fetch's error.</summary>
    public async ValueTask<AwsCredentials> GetAsync(Func<CancellationToken, ValueTask<AwsCredentials>> fetch, CancellationToken cancellationToken)
    {
        try
        {
            return Remember(await fetch(cancellationToken).ConfigureAwait(false));
        }
        catch (CrossCloudAuthException error)
        {
            AwsCredentials? extended = TryExtend(error);
            if (extended is null)
            {
                throw;
            }

            return extended;
        }
    }

    /// <summary>Remembers credentials the endpoint just returned; they replace any extended ones.</summary>
    /// <returns><paramref name="fresh"/>.</returns>
    public AwsCredentials Remember(AwsCredentials fresh)
    {
        State? previous = Interlocked.Exchange(ref _state, fresh.IsTemporary ? new State(fresh, fresh.ExpiresOn, 0, DateTimeOffset.MinValue) : null);
        if (previous is { Extensions: > 0 })
        {
            _log.Recovered(_logger, _hopName, previous.Extensions);
        }

        return fresh;
    }

    /// <summary>Decides whether a failed fetch may be answered with the last credentials, extended.</summary>
    /// <param name="error">Why the fetch failed.</param>
    /// <returns>The last credentials with an extended expiry, or <see langword="null"/> when the error must propagate.</returns>
    public AwsCredentials? TryExtend(CrossCloudAuthException error)
    {
        if (!IsOutage(error))
        {
            return null;
        }

        while (true)
        {
            State? state = Volatile.Read(ref _state);
            if (state is null)
            {
                return null;
            }

            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (state.Extensions > 0 && (now - state.ExtendedAt < ShareWindow || state.Served.ExpiresOn - now > Window))
            {
                // Another caller extended them a moment ago, or they still have time: share that extension.
                return state.Served;
            }

            if (state.Served.ExpiresOn - now > Window)
            {
                // Still usable for a while: let the caller (a cache) keep them and retry the endpoint later.
                return null;
            }

            DateTimeOffset limit = state.OriginalExpiry + MaximumTotalExtension;
            if (now + MinimumExtension > limit)
            {
                if (!state.LimitLogged && ReferenceEquals(Interlocked.CompareExchange(ref _state, state with { LimitLogged = true }, state), state))
                {
                    _log.LimitReached(_logger, _hopName, Describe(error), state.OriginalExpiry, state.Extensions);
                }

                return null;
            }

            TimeSpan extension = MinimumExtension + ((MaximumExtension - MinimumExtension) * _random());
            DateTimeOffset expiresOn = now + extension < limit ? now + extension : limit;
            AwsCredentials last = state.Served;
            AwsCredentials extended = new(last.AccessKeyId, last.SecretAccessKey, last.SessionToken, expiresOn);
            State next = state with { Served = extended, ExtendedAt = now, Extensions = state.Extensions + 1 };
            if (!ReferenceEquals(Interlocked.CompareExchange(ref _state, next, state), state))
            {
                continue;
            }

            _log.Extended(_logger, _hopName, Describe(error), state.OriginalExpiry, expiresOn, next.Extensions, limit);
            Telemetry.CountExtension(_hopName);
            return extended;
        }
    }

    /// <summary>Whether the error says the endpoint is down (transient), as opposed to a definitive answer.</summary>
    internal static bool IsOutage(CrossCloudAuthException error) => error switch
    {
        CredentialRequestFailedException { IsTransient: true, StatusCode: HttpStatusCode status } =>
            (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout,
        CredentialSourceUnavailableException { InnerException: TimeoutException or HttpRequestException } => true,
        _ => false,
    };

    private static string Describe(CrossCloudAuthException error) => error switch
    {
        CredentialRequestFailedException { StatusCode: HttpStatusCode status } => "HTTP " + ((int)status).ToString(CultureInfo.InvariantCulture),
        { InnerException: TimeoutException } => "no answer within the deadline",
        _ => "connection failed",
    };

    private sealed record State(AwsCredentials Served, DateTimeOffset OriginalExpiry, int Extensions, DateTimeOffset ExtendedAt, bool LimitLogged = false)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"State {{ OriginalExpiry = {OriginalExpiry:O}, Extensions = {Extensions} }}");
    }

    /// <summary>The three log events of one source, defined with that source's event ids.</summary>
    private sealed class Log
    {
        private readonly Action<ILogger, string, string, DateTimeOffset, DateTimeOffset, int, DateTimeOffset, Exception?> _extended;
        private readonly Action<ILogger, string, string, DateTimeOffset, int, Exception?> _limitReached;
        private readonly Action<ILogger, string, int, Exception?> _recovered;

        public Log(int firstEventId)
        {
            _extended = LoggerMessage.Define<string, string, DateTimeOffset, DateTimeOffset, int, DateTimeOffset>(
                LogLevel.Warning,
                new EventId(firstEventId, "CredentialsExtended"),
                "{HopName} is unavailable ({Reason}) after its retries; serving the last credentials (reported to expire at {OriginalExpiry}) until {ExtendedUntil} (extension {Extension}; never past {Limit}).");
            _limitReached = LoggerMessage.Define<string, string, DateTimeOffset, int>(
                LogLevel.Error,
                new EventId(firstEventId + 1, "ExtensionLimitReached"),
                "{HopName} is still unavailable ({Reason}); the last credentials (reported to expire at {OriginalExpiry}) were extended {Extensions} times and are not extended further: the outage has lasted about the one-hour bound.");
            _recovered = LoggerMessage.Define<string, int>(
                LogLevel.Information,
                new EventId(firstEventId + 2, "ExtensionEnded"),
                "{HopName} answered again; fresh credentials replace the last ones, which were extended {Extensions} times.");
        }

        public void Extended(ILogger logger, string hopName, string reason, DateTimeOffset originalExpiry, DateTimeOffset extendedUntil, int extension, DateTimeOffset limit) =>
            _extended(logger, hopName, reason, originalExpiry, extendedUntil, extension, limit, null);

        public void LimitReached(ILogger logger, string hopName, string reason, DateTimeOffset originalExpiry, int extensions) =>
            _limitReached(logger, hopName, reason, originalExpiry, extensions, null);

        public void Recovered(ILogger logger, string hopName, int extensions) => _recovered(logger, hopName, extensions, null);
    }
}
