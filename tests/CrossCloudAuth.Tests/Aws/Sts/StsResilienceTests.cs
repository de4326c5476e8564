using System.Net;
using System.Threading.Channels;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Sts;

/// <summary>The AWS STS hop (through AWSSDK.SecurityToken) against endless, stalled, hanging and failing answers, on a
/// fake clock: a capped body, a deadline per attempt, our retries instead of the SDK's.</summary>
public sealed class StsResilienceTests
{
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    private const long Slack = 64 * 1024;

    private readonly TimerRecordingTimeProvider _time = new(AwsTestData.Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly FakeHttpHandler _http = new();
    private readonly WebIdentityCredentialSourceOptions _options = new();

    public StsResilienceTests()
    {
        foreach ((string name, string value) in Fixtures.ReadEnv("seed002-pod.env"))
        {
            _environment.Set(name, value);
        }

        _environment.WithFile(TokenFile, Fixtures.ProjectedToken + "\n");
        _options.Sts.Timeout = TimeSpan.FromSeconds(3);
        _options.Sts.Retry = new HopRetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.Zero };
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>")]
    [InlineData(HttpStatusCode.InternalServerError, "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>")]
    public async Task GetAsync_EndlessBody_StopsAtTheCapWithoutRetry(HttpStatusCode status, string prefix)
    {
        EndlessStream body = new(prefix);
        _http.On(HttpMethod.Post, "/", _ => Task.FromResult(new HttpResponseMessage(status) { Content = new StreamContent(body) }));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => Create().GetAsync().AsTask());

        Assert.StartsWith("aws-sts:AssumeRoleWithWebIdentity", error.HopName, StringComparison.Ordinal);
        Assert.Equal("ResponseTooLarge", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.InRange(body.BytesRead, 0, AwsStsClient.MaxResponseBytes + Slack);
        Assert.Single(_http.Requests);
        AwsTestData.AssertNoSecret(error, Fixtures.ProjectedToken);
    }

    [Fact]
    public async Task GetAsync_DeclaredLengthBeyondCap_FailsBeforeReading()
    {
        EndlessStream body = new();
        _http.On(HttpMethod.Post, "/", _ =>
        {
            StreamContent content = new(body);
            content.Headers.ContentLength = 2L * 1024 * 1024 * 1024;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        });

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => Create().GetAsync().AsTask());

        Assert.Equal("ResponseTooLarge", error.ErrorCode);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task GetAsync_StsNeverAnswers_EachAttemptEndsAtItsDeadlineOnTheClock()
    {
        Channel<bool> attempts = Channel.CreateUnbounded<bool>();
        _http.On(HttpMethod.Post, "/", async request =>
        {
            attempts.Writer.TryWrite(true);
            await Task.Delay(Timeout.Infinite, request.Options.TryGetValue(FakeHttpHandler.CancellationKey, out CancellationToken token) ? token : default);
            throw new InvalidOperationException("unreachable");
        });

        Task<AwsCredentials> fetch = Create().GetAsync().AsTask();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await attempts.Reader.ReadAsync();
            _time.Advance(_options.Sts.Timeout);
        }

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => fetch);
        Assert.Equal("Timeout", error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Equal(3, _http.Requests.Count);
        Assert.Equal(AwsTestData.Now + (3 * _options.Sts.Timeout), _time.GetUtcNow());
    }

    [Fact]
    public async Task GetAsync_BodyStallsAfterHeaders_AttemptEndsAtItsDeadline()
    {
        _options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        TaskCompletionSource answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _http.On(HttpMethod.Post, "/", _ =>
        {
            answered.TrySetResult();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new EndlessStream(stall: true)) });
        });

        // The SDK reads the body synchronously: off this thread, so that this one can move the clock.
        WebIdentityCredentialSource source = Create();
        Task<AwsCredentials> fetch = Task.Run(() => source.GetAsync().AsTask());
        await answered.Task;
        await _time.NextTimerAsync();
        _time.Advance(_options.Sts.Timeout);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => fetch);
        Assert.Equal("Timeout", error.ErrorCode);
    }

    [Fact]
    public async Task GetAsync_ThrottledThenServerErrorThenOk_RetriesAndSucceeds()
    {
        _http.On(
            HttpMethod.Post,
            "/",
            StsResponses.Fail(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded"),
            StsResponses.Fail(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "Service unavailable", "Receiver"),
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));

        AwsCredentials credentials = await Create().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Equal(3, _http.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidIdentityToken")]
    [InlineData(HttpStatusCode.BadRequest, "ExpiredTokenException")]
    public async Task GetAsync_DefinitiveRejection_IsNotRetried(HttpStatusCode status, string code)
    {
        _http.On(HttpMethod.Post, "/", StsResponses.Fail(status, code, "no"));

        await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => Create().GetAsync().AsTask());

        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task GetAsync_Backoff_WaitsOnTheInjectedClock()
    {
        _options.Sts.Retry = new HopRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) };
        _http.On(
            HttpMethod.Post,
            "/",
            StsResponses.Fail(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "Service unavailable", "Receiver"),
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));

        Task<AwsCredentials> fetch = Create().GetAsync().AsTask();
        TimeSpan backoff = await _time.NextTimerAsync(ignored: _options.Sts.Timeout);
        Assert.InRange(backoff, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        _time.Advance(backoff);

        AwsCredentials credentials = await fetch;
        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Equal(2, _http.Requests.Count);
    }

    private WebIdentityCredentialSource Create()
    {
        _options.Sts.HttpClient = _http.CreateClient();
        return new WebIdentityCredentialSource(_options, _environment, _time);
    }
}
