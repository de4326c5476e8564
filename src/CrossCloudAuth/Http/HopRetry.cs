using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Http;

/// <summary>
/// The retry loop of a credential hop, the one place that decides how a hop retries. Each hop says what is retryable;
/// this class says how: bounded attempts, jittered exponential backoff capped at <see cref="HopRetryOptions.MaxDelay"/>,
/// a server's <c>Retry-After</c> honoured up to the same cap, every wait on the hop's <see cref="TimeProvider"/>, one
/// log line per retry.
/// </summary>
/// <remarks>
/// <para>Backoff before attempt <c>n + 1</c> (after the <c>n</c>th failed): <c>d = min(MaxDelay, BaseDelay × 2^(n−1))</c>,
/// then a uniformly random wait in <c>[d/2, d]</c> ("equal jitter"), so that a fleet that failed together does not retry
/// together, and no wait is shorter than half its step.</para>
/// <para>An attempt that throws is retried only when <c>shouldRetry</c> says so, attempts remain and the caller has not
/// cancelled; otherwise its exception propagates unchanged. The caller's cancellation during a wait ends the loop with
/// <see cref="OperationCanceledException"/> and no further attempt.</para>
/// <para>Thread-safe and stateless between calls: one instance serves every call of its hop.</para>
/// </remarks>
/// <typeparam name="T">What an attempt returns.</typeparam>
internal sealed partial class HopRetry<T>
{
    private readonly int _maxAttempts;
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _timeProvider;
    private readonly Func<AttemptOutcome<T>, bool> _shouldRetry;
    private readonly Func<T, TimeSpan?>? _retryAfter;
    private readonly Func<T, string> _describeResult;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="HopRetry{T}"/> class.</summary>
    /// <param name="options">Validated options (see <see cref="HopRetryOptions.Validated"/>).</param>
    /// <param name="timeProvider">The clock every wait runs on.</param>
    /// <param name="shouldRetry">Whether an attempt's outcome (a result or an exception) is worth another attempt.</param>
    /// <param name="retryAfter">The server's requested wait in a result, if any.</param>
    /// <param name="describeResult">Describes a retried result for the log (a status, never a body).</param>
    /// <param name="logger">Receives one line per retry (hop, attempt, reason; never a body).</param>
    public HopRetry(
        HopRetryOptions options,
        TimeProvider timeProvider,
        Func<AttemptOutcome<T>, bool> shouldRetry,
        Func<T, TimeSpan?>? retryAfter,
        Func<T, string> describeResult,
        ILogger? logger)
    {
        _maxAttempts = options.MaxAttempts;
        _baseDelay = options.BaseDelay;
        _maxDelay = options.MaxDelay;
        _timeProvider = timeProvider;
        _shouldRetry = shouldRetry;
        _retryAfter = retryAfter;
        _describeResult = describeResult;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds, fails definitively or the attempts run out.</summary>
    /// <param name="hopName">The hop, named in the retry log lines.</param>
    /// <param name="attempt">One attempt, under its own deadline.</param>
    /// <param name="cancellationToken">The caller's cancellation; never retried.</param>
    /// <returns>The last attempt's result.</returns>
    public async ValueTask<T> ExecuteAsync(string hopName, Func<CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken)
    {
        for (int number = 1; ; number++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttemptOutcome<T> outcome;
            try
            {
                T result = await attempt(cancellationToken).ConfigureAwait(false);
                outcome = new AttemptOutcome<T>(result);
                if (!Retries(outcome, number, cancellationToken))
                {
                    return result;
                }
            }
            catch (Exception error) when (Retries(new AttemptOutcome<T>(error), number, cancellationToken))
            {
                outcome = new AttemptOutcome<T>(error);
            }

            TimeSpan delay = DelayAfter(outcome, number);
            ILogger logger = _logger;
            if (logger.IsEnabled(LogLevel.Information))
            {
                string reason = Describe(outcome, _describeResult);
                Log.Retrying(logger, hopName, number, reason, delay.TotalMilliseconds);
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The wait before the attempt after <paramref name="failed"/>: the server's <c>Retry-After</c> when it sent
    /// one, otherwise the jittered exponential backoff; never more than <see cref="HopRetryOptions.MaxDelay"/>.</summary>
    private TimeSpan DelayAfter(AttemptOutcome<T> outcome, int failed)
    {
        if (_retryAfter is not null && outcome.Exception is null && _retryAfter(outcome.Result!) is TimeSpan requested && requested >= TimeSpan.Zero)
        {
            return requested > _maxDelay ? _maxDelay : requested;
        }

        return Backoff(_baseDelay, _maxDelay, failed, Random.Shared.NextDouble());
    }

    /// <summary>The backoff after the <paramref name="failed"/>th attempt for a uniform <paramref name="jitter"/> in
    /// [0, 1): <c>d = min(max, base × 2^(failed−1))</c>, scaled into <c>[d/2, d]</c>.</summary>
    internal static TimeSpan Backoff(TimeSpan baseDelay, TimeSpan maxDelay, int failed, double jitter)
    {
        Debug.Assert(failed >= 1 && jitter is >= 0 and < 1, "attempts count from 1; jitter is uniform in [0, 1)");

        // At most 10 attempts (HopRetryOptions.MaxAttemptsLimit), so 2^(failed−1) ≤ 512 and the product of two bounded
        // values cannot overflow; the cap applies before the jitter, so a capped step still varies.
        double step = Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, Math.Min(failed - 1, 30)));
        return TimeSpan.FromTicks((long)(step * (0.5 + (jitter / 2))));
    }

    private bool Retries(AttemptOutcome<T> outcome, int number, CancellationToken cancellationToken) =>
        number < _maxAttempts && !cancellationToken.IsCancellationRequested && _shouldRetry(outcome);

    private static string Describe(AttemptOutcome<T> outcome, Func<T, string> describeResult) => outcome.Exception switch
    {
        CredentialRequestFailedException failed => failed.StatusCode is { } status
            ? $"HTTP {(int)status}{(failed.ErrorCode is null ? string.Empty : " " + failed.ErrorCode)}"
            : failed.ErrorCode ?? "transport failure",
        Exception other => other.GetType().Name,
        null => describeResult(outcome.Result!),
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{HopName}: attempt {Attempt} failed ({Reason}); retrying in {DelayMilliseconds:0} ms.")]
        public static partial void Retrying(ILogger logger, string hopName, int attempt, string reason, double delayMilliseconds);
    }
}

/// <summary>What one attempt of a hop came to: its result, or the exception it threw.</summary>
/// <typeparam name="T">What an attempt returns.</typeparam>
internal readonly struct AttemptOutcome<T>
{
    /// <summary>Initializes a new instance of the <see cref="AttemptOutcome{T}"/> struct for a result.</summary>
    public AttemptOutcome(T result) => Result = result;

    /// <summary>Initializes a new instance of the <see cref="AttemptOutcome{T}"/> struct for an exception.</summary>
    public AttemptOutcome(Exception exception) => Exception = exception;

    /// <summary>Gets the result, when the attempt returned one.</summary>
    public T? Result { get; }

    /// <summary>Gets the exception, when the attempt threw.</summary>
    public Exception? Exception { get; }
}
