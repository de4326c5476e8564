using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace CrossCloudAuth.Http;

/// <summary>
/// The one place that builds the retry pipeline of a credential hop (Polly.Core's retry strategy on the hop's
/// <see cref="TimeProvider"/>). Each hop says what is retryable; this class says how: bounded attempts, jittered
/// exponential backoff capped at <see cref="HopRetryOptions.MaxDelay"/>, a server's <c>Retry-After</c> honoured up to
/// the same cap, one log line per retry.
/// </summary>
internal static partial class HopRetry
{
    /// <summary>Builds a pipeline for attempts that return <typeparamref name="T"/>.</summary>
    /// <param name="options">Validated options (see <see cref="HopRetryOptions.Validated"/>).</param>
    /// <param name="timeProvider">The clock every wait runs on.</param>
    /// <param name="shouldRetry">Whether an attempt's outcome (a result or an exception) is worth another attempt.</param>
    /// <param name="retryAfter">The server's requested wait in a result, if any.</param>
    /// <param name="describeResult">Describes a retried result for the log (a status, never a body).</param>
    /// <param name="logger">Receives one line per retry (hop, attempt, reason; never a body).</param>
    public static ResiliencePipeline<T> Create<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(
        HopRetryOptions options,
        TimeProvider timeProvider,
        Func<Outcome<T>, bool> shouldRetry,
        Func<T, TimeSpan?>? retryAfter,
        Func<T, string> describeResult,
        ILogger? logger)
    {
        if (options.MaxAttempts <= 1)
        {
            return ResiliencePipeline<T>.Empty;
        }

        ILogger log = logger ?? NullLogger.Instance;
        TimeSpan maxDelay = options.MaxDelay;
        RetryStrategyOptions<T> retry = new()
        {
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            MaxDelay = maxDelay,
            ShouldHandle = args => new ValueTask<bool>(
                !args.Context.CancellationToken.IsCancellationRequested && shouldRetry(args.Outcome)),
            DelayGenerator = args =>
            {
                TimeSpan? requested = retryAfter is not null && args.Outcome.Exception is null && args.Outcome.Result is T result
                    ? retryAfter(result)
                    : null;
                TimeSpan? delay = requested is TimeSpan wait && wait >= TimeSpan.Zero ? (wait > maxDelay ? maxDelay : wait) : null;
                return new ValueTask<TimeSpan?>(delay);
            },
            OnRetry = args =>
            {
                if (log.IsEnabled(LogLevel.Information))
                {
                    string reason = Describe(args.Outcome, describeResult);
                    Log.Retrying(log, args.Context.OperationKey ?? "hop", args.AttemptNumber + 1, reason, args.RetryDelay.TotalMilliseconds);
                }

                return default;
            },
        };

        return new ResiliencePipelineBuilder<T> { TimeProvider = timeProvider }.AddRetry(retry).Build();
    }

    /// <summary>Runs <paramref name="attempt"/> through <paramref name="pipeline"/>, naming the hop in its logs.</summary>
    public static async ValueTask<T> ExecuteAsync<T>(
        this ResiliencePipeline<T> pipeline,
        string hopName,
        Func<CancellationToken, ValueTask<T>> attempt,
        CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(hopName, cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(static (ctx, call) => call(ctx.CancellationToken), context, attempt).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string Describe<T>(Outcome<T> outcome, Func<T, string> describeResult) => outcome.Exception switch
    {
        CredentialRequestFailedException failed => failed.StatusCode is { } status
            ? $"HTTP {(int)status}{(failed.ErrorCode is null ? string.Empty : " " + failed.ErrorCode)}"
            : failed.ErrorCode ?? "transport failure",
        Exception other => other.GetType().Name,
        null => outcome.Result is T result ? describeResult(result) : "no result",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{HopName}: attempt {Attempt} failed ({Reason}); retrying in {DelayMilliseconds:0} ms.")]
        public static partial void Retrying(ILogger logger, string hopName, int attempt, string reason, double delayMilliseconds);
    }
}
