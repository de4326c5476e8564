using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Http;

public sealed class HopRetryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly HopResponse Ok = new(HttpStatusCode.OK, [], null, null);

    private readonly TimerRecordingTimeProvider _time = new(Start);

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task ExecuteAsync_TransientStatusThenSuccess_Retries(HttpStatusCode status)
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { BaseDelay = TimeSpan.Zero });

        HopResponse response = await pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(++calls == 1 ? Status(status) : Ok), default);

        Assert.True(response.IsSuccess);
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task ExecuteAsync_DefinitiveStatus_IsNotRetried(HttpStatusCode status)
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { BaseDelay = TimeSpan.Zero });

        HopResponse response = await pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(Status(status, ++calls)), default);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_AlwaysFailing_StopsAfterMaxAttemptsWithTheLastOutcome()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.Zero });

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() =>
            pipeline.ExecuteAsync("test:hop", _ => throw new CredentialRequestFailedException("test:hop", $"attempt {++calls}", isTransient: true), default).AsTask());

        Assert.Equal(4, calls);
        Assert.Contains("attempt 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_NonTransientException_IsNotRetried()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { BaseDelay = TimeSpan.Zero });

        await Assert.ThrowsAsync<CredentialRequestFailedException>(() =>
            pipeline.ExecuteAsync("test:hop", _ => throw new CredentialRequestFailedException("test:hop", $"attempt {++calls}", isTransient: false), default).AsTask());

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfter_WaitsExactlyThatLongOnTheClock()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions());

        Task<HopResponse> run = pipeline.ExecuteAsync(
            "test:hop",
            _ => ValueTask.FromResult(++calls == 1 ? Status(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(2)) : Ok),
            default).AsTask();
        TimeSpan wait = await _time.NextTimerAsync();
        _time.Advance(wait);
        HopResponse response = await run;

        Assert.Equal(TimeSpan.FromSeconds(2), wait);
        Assert.True(response.IsSuccess);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterBeyondMaxDelay_IsCapped()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { MaxDelay = TimeSpan.FromSeconds(5) });

        Task<HopResponse> run = pipeline.ExecuteAsync(
            "test:hop",
            _ => ValueTask.FromResult(++calls == 1 ? Status(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.FromHours(1)) : Ok),
            default).AsTask();
        TimeSpan wait = await _time.NextTimerAsync();
        _time.Advance(wait);
        await run;

        Assert.Equal(TimeSpan.FromSeconds(5), wait);
    }

    [Fact]
    public async Task ExecuteAsync_Backoff_RunsOnTheClockAndStaysUnderMaxDelay()
    {
        int calls = 0;
        HopRetryOptions options = new() { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1) };
        HopRetry<HopResponse> pipeline = Create(options);

        Task<HopResponse> run = pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(Status(HttpStatusCode.ServiceUnavailable, ++calls)), default).AsTask();
        TimeSpan total = TimeSpan.Zero;
        for (int retry = 1; retry < options.MaxAttempts; retry++)
        {
            TimeSpan wait = await _time.NextTimerAsync();
            Assert.InRange(wait, TimeSpan.FromTicks(1), options.MaxDelay);
            total += wait;
            _time.Advance(wait);
        }

        HopResponse response = await run;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(options.MaxAttempts, calls);
        Assert.InRange(total, TimeSpan.Zero, (options.MaxAttempts - 1) * options.MaxDelay);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancelsDuringBackoff_ThrowsOperationCanceledWithoutAnotherAttempt()
    {
        int calls = 0;
        using CancellationTokenSource cancel = new();
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions());

        Task<HopResponse> run = pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(Status(HttpStatusCode.ServiceUnavailable, ++calls)), cancel.Token).AsTask();
        await _time.NextTimerAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_OneAttempt_IsNotRetried()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions { MaxAttempts = 1 });

        HopResponse response = await pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(Status(HttpStatusCode.ServiceUnavailable, ++calls)), default);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCancelled_MakesNoAttempt()
    {
        int calls = 0;
        HopRetry<HopResponse> pipeline = Create(new HopRetryOptions());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            pipeline.ExecuteAsync("test:hop", _ => ValueTask.FromResult(Status(HttpStatusCode.OK, ++calls)), new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(0, calls);
    }

    [Theory]
    [InlineData(1, 0.0, 100)]
    [InlineData(1, 0.5, 150)]
    [InlineData(2, 0.0, 200)]
    [InlineData(3, 0.999, 800)]
    [InlineData(5, 0.0, 1600)]
    [InlineData(6, 0.0, 2500)]
    [InlineData(10, 0.5, 3750)]
    public void Backoff_IsHalfToAllOfTheDoublingStepCappedAtMaxDelay(int failed, double jitter, int expectedMs)
    {
        TimeSpan wait = HopRetry<HopResponse>.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), failed, jitter);

        Assert.Equal(expectedMs, wait.TotalMilliseconds, precision: 0);
    }

    [Fact]
    public void Backoff_ZeroBaseDelay_NeverWaits()
    {
        for (int failed = 1; failed < HopRetryOptions.MaxAttemptsLimit; failed++)
        {
            Assert.Equal(TimeSpan.Zero, HopRetry<HopResponse>.Backoff(TimeSpan.Zero, TimeSpan.FromMinutes(1), failed, 0.9));
        }
    }

    [Theory]
    [InlineData(0, 200, 5000)]
    [InlineData(11, 200, 5000)]
    [InlineData(3, -1, 5000)]
    [InlineData(3, 6000, 5000)]
    [InlineData(3, 200, 61000)]
    public void Validated_OutOfRange_ThrowsConfigurationNamingTheSetting(int attempts, int baseMs, int maxMs)
    {
        HopRetryOptions options = new() { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(baseMs), MaxDelay = TimeSpan.FromMilliseconds(maxMs) };

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => options.Validated("test:hop"));

        Assert.Equal("test:hop", error.HopName);
        Assert.Contains("Retry.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreThreeAttempts200MsBaseFiveSecondsMax()
    {
        HopRetryOptions options = new();

        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxDelay);
    }

    private static HopResponse Status(HttpStatusCode status, int attempt = 0, TimeSpan? retryAfter = null) =>
        new(status, [(byte)attempt], null, retryAfter);

    private HopRetry<HopResponse> Create(HopRetryOptions options) =>
        HopHttp.CreateRetry(options.Validated("test:hop"), _time, logger: null);
}
