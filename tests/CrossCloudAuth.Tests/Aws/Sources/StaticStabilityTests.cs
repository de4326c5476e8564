using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CrossCloudAuth.Tests.Aws.Sources;

/// <summary>
/// Static stability of the instance sources: while instance metadata or the container endpoint is down, the last
/// credentials are served with a short, jittered and bounded extension, and never after a definitive answer.
/// </summary>
public sealed class StaticStabilityTests
{
    private const string TokenPath = "/latest/api/token";
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";
    private const string ContainerPath = "/v1/credentials";
    private const string PodIdentityTokenFile = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token";
    private const int ImdsExtendedEvent = 103;
    private const int ImdsLimitEvent = 104;
    private const int ImdsRecoveredEvent = 105;
    private const int ContainerExtendedEvent = 131;

    private static readonly DateTimeOffset Now = AwsTestData.Now;
    private static readonly DateTimeOffset Expiry = Now.AddHours(1);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeHttpHandler _http = new();
    private readonly FakeSystemEnvironment _environment = new();
    private readonly CapturingLogger _logger = new();

    /// <summary>What every route answers: a status code, a connection failure, or (null) the normal answer.</summary>
    private Func<HttpRequestMessage, Task<HttpResponseMessage>>? _outage;

    /// <summary>The expiry the endpoint reports while it answers.</summary>
    private DateTimeOffset _reportedExpiry = Expiry;

    private readonly ITestOutputHelper _output;

    public StaticStabilityTests(ITestOutputHelper output)
    {
        _output = output;
        _http.On(HttpMethod.Put, TokenPath, request => _outage?.Invoke(request) ?? FakeHttpHandler.Respond(HttpStatusCode.OK, "IMDSTOKEN")(request))
            .On(HttpMethod.Get, CredentialsPath + "web-role", request => _outage?.Invoke(request) ?? FakeHttpHandler.Respond(HttpStatusCode.OK, AwsTestData.CredentialJson(_reportedExpiry))(request))
            .On(HttpMethod.Get, ContainerPath, request => _outage?.Invoke(request) ?? FakeHttpHandler.Respond(HttpStatusCode.OK, AwsTestData.CredentialJson(_reportedExpiry), "application/json")(request));
        _environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", PodIdentityTokenFile)
            .WithFile(PodIdentityTokenFile, "PODTOKEN\n");
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task GetAsync_ImdsAnswersServerErrorNearExpiry_ServesLastCredentialsExtendedAndWarnsOnce(int status)
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0.5);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(4));
        _outage = FakeHttpHandler.Respond((HttpStatusCode)status, "");
        AwsCredentials extended = await source.GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, extended.AccessKeyId);
        Assert.Equal(AwsTestData.SecretAccessKey, extended.SecretAccessKey);
        Assert.Equal(AwsTestData.SessionToken, extended.SessionToken);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(7.5), extended.ExpiresOn);
        CapturingLogger.LogEntry warning = Assert.Single(_logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(ImdsExtendedEvent, warning.EventId.Id);
        Assert.Contains("aws-imds:credentials", warning.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP " + status, warning.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(warning.Message, "IMDSTOKEN");
        AwsTestData.AssertNoSecret(extended.ToString());
    }

    [Fact]
    public async Task GetAsync_ImdsRefusesConnections_ServesLastCredentialsExtended()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry + TimeSpan.FromMinutes(2));
        _outage = FakeHttpHandler.Fail(new HttpRequestException("Connection refused"));
        AwsCredentials extended = await source.GetAsync();

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), extended.ExpiresOn);
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_OutageWhileLastCredentialsHaveMoreThanFiveMinutes_ThrowsSoTheCacheKeepsThem()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(6));
        _outage = FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetAsync().AsTask());
        Assert.True(error.IsTransient);
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task GetAsync_OutageWithoutEarlierCredentials_ThrowsTransientError()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        _outage = FakeHttpHandler.Respond(HttpStatusCode.InternalServerError, "");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetAsync().AsTask());

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GetAsync_OutageLongerThanTheBound_ExtendsAtMostOneHourPastExpiryThenThrowsTransientError()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0.99);
        await source.GetAsync();
        _outage = FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "");
        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(1));

        List<DateTimeOffset> expiries = [];
        CredentialRequestFailedException? error = null;
        for (int i = 0; i < 100 && error is null; i++)
        {
            try
            {
                AwsCredentials extended = await source.GetAsync();
                Assert.InRange(extended.ExpiresOn, _time.GetUtcNow() + TimeSpan.FromMinutes(5), Expiry + TimeSpan.FromHours(1));
                expiries.Add(extended.ExpiresOn);
                _time.SetUtcNow(extended.ExpiresOn - TimeSpan.FromMinutes(1)); // a caller refreshing shortly before expiry
            }
            catch (CredentialRequestFailedException e)
            {
                error = e;
            }
        }

        Assert.NotNull(error);
        Assert.True(error.IsTransient);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.InRange(expiries.Count, 6, 15); // about 9 minutes each over one hour
        Assert.True(expiries.Max() <= Expiry + TimeSpan.FromHours(1));
        Assert.True(expiries.Max() >= Expiry + TimeSpan.FromMinutes(55));
        Assert.Equal(expiries.Count, _logger.Entries.Count(e => e.EventId.Id == ImdsExtendedEvent));
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsLimitEvent);

        // The bound holds: later calls still fail, and say so in the log only once.
        _time.Advance(TimeSpan.FromMinutes(30));
        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetAsync().AsTask());
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsLimitEvent);
    }

    [Fact]
    public async Task GetAsync_RoleGone404NearExpiry_ThrowsWithoutExtension()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(2));
        _outage = request => request.Method == HttpMethod.Put
            ? FakeHttpHandler.Respond(HttpStatusCode.OK, "IMDSTOKEN")(request)
            : FakeHttpHandler.Respond(HttpStatusCode.NotFound, "")(request);

        await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetAsync().AsTask());
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ImdsExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_ImdsForbidden403NearExpiry_ThrowsWithoutExtension()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(2));
        _outage = request => request.Method == HttpMethod.Put
            ? FakeHttpHandler.Respond(HttpStatusCode.OK, "IMDSTOKEN")(request)
            : FakeHttpHandler.Respond(HttpStatusCode.Forbidden, "")(request);

        await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetAsync().AsTask());
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ImdsExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_EndpointRecovers_ReturnsFreshCredentialsAndResetsTheBound()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();
        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(1));
        _outage = FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "");
        AwsCredentials extended = await source.GetAsync();
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), extended.ExpiresOn);

        _time.Advance(TimeSpan.FromMinutes(3));
        _outage = null;
        _reportedExpiry = _time.GetUtcNow() + TimeSpan.FromHours(6);
        AwsCredentials fresh = await source.GetAsync();

        Assert.Equal(_reportedExpiry, fresh.ExpiresOn);
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsRecoveredEvent);

        // A later outage is bounded from the new credentials' expiry, not the old one's.
        _time.SetUtcNow(_reportedExpiry + TimeSpan.FromMinutes(30));
        _outage = FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "");
        AwsCredentials again = await source.GetAsync();
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(5), again.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallersDuringOutage_ShareOneExtension()
    {
        Ec2InstanceMetadataCredentialSource source = CreateImds(random: 0);
        await source.GetAsync();
        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(1));
        _outage = FakeHttpHandler.Respond(HttpStatusCode.BadGateway, "");

        AwsCredentials[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await source.GetAsync())));

        Assert.Single(results.Select(r => r.ExpiresOn).Distinct());
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_ContainerEndpointDown_ServesLastCredentialsExtendedWithItsEventId()
    {
        ContainerCredentialSource source = CreateContainer(random: 1);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromSeconds(30));
        _outage = FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "{\"Code\":\"ServiceUnavailable\",\"Message\":\"agent restarting\"}");
        AwsCredentials extended = await source.GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, extended.AccessKeyId);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), extended.ExpiresOn);
        CapturingLogger.LogEntry warning = Assert.Single(_logger.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(ContainerExtendedEvent, warning.EventId.Id);
        Assert.Contains("aws-container:credentials(169.254.170.23)", warning.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(warning.Message, "PODTOKEN");
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task GetAsync_ContainerEndpointRejectsNearExpiry_ThrowsWithoutExtension(int status)
    {
        ContainerCredentialSource source = CreateContainer(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(2));
        _outage = FakeHttpHandler.Respond((HttpStatusCode)status, "");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetAsync().AsTask());
        Assert.Equal((HttpStatusCode)status, error.StatusCode);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ContainerExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_ContainerTokenFileGoneNearExpiry_ThrowsConfigurationErrorWithoutExtension()
    {
        ContainerCredentialSource source = CreateContainer(random: 0);
        await source.GetAsync();

        _time.SetUtcNow(Expiry - TimeSpan.FromMinutes(2));
        _environment.WithFileError(PodIdentityTokenFile, new FileNotFoundException("gone"));

        await Assert.ThrowsAsync<CredentialConfigurationException>(() => source.GetAsync().AsTask());
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ContainerExtendedEvent);
    }

    [Fact]
    public async Task GetAsync_ThroughRefreshAheadCache_NoReadFailsDuringOutageShorterThanTheBoundAndOneCallPerExtension()
    {
        Random sourceJitter = new(20261201);
        Random cacheJitter = new(20261202);
        Ec2InstanceMetadataCredentialSource imds = CreateImds(sourceJitter.NextDouble);
        List<(DateTimeOffset At, bool Extended, bool Failed)> calls = [];
        DelegateCredentialSource<AwsCredentials> counting = new(async (_, cancellationToken) =>
        {
            int before = _logger.Entries.Count(e => e.EventId.Id == ImdsExtendedEvent);
            try
            {
                AwsCredentials result = await imds.GetAsync(cancellationToken);
                lock (calls)
                {
                    calls.Add((_time.GetUtcNow(), _logger.Entries.Count(e => e.EventId.Id == ImdsExtendedEvent) > before, false));
                }

                return result;
            }
            catch (CrossCloudAuthException)
            {
                lock (calls)
                {
                    calls.Add((_time.GetUtcNow(), false, true));
                }

                throw;
            }
        });
        using RefreshAheadCache<AwsCredentials> cache = new(counting, new RefreshAheadCacheOptions(), _time, logger: null, random: cacheJitter.NextDouble);
        await cache.GetAsync().AsTask().HangGuard();

        // Down from 40 minutes before the first credentials expire until 45 minutes after (85 minutes in all).
        DateTimeOffset outageStart = Expiry - TimeSpan.FromMinutes(40);
        DateTimeOffset outageEnd = Expiry + TimeSpan.FromMinutes(45);
        DateTimeOffset end = Expiry + TimeSpan.FromHours(2);
        AwsCredentials? last = null;
        while (_time.GetUtcNow() < end)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            DateTimeOffset now = _time.GetUtcNow();
            _outage = now >= outageStart && now < outageEnd ? FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, "") : null;
            _reportedExpiry = now + TimeSpan.FromHours(1);

            last = await cache.GetAsync().AsTask().HangGuard(); // throws if a read fails
            Assert.True(last.ExpiresOn > now, $"an expired credential was served at {now:O}");
            await cache.SettleAsync();
        }

        (DateTimeOffset At, bool Extended, bool Failed)[] during = calls.Where(c => c.At >= outageStart && c.At < outageEnd).ToArray();
        int extensions = during.Count(c => c.Extended);
        DateTimeOffset firstExtension = during.First(c => c.Extended).At;
        _output.WriteLine($"upstream calls during the outage: {during.Length} ({extensions} extensions, {during.Count(c => c.Failed)} failed before the first extension at {firstExtension:O}); all calls: {calls.Count}");
        Assert.InRange(extensions, 5, 25);
        Assert.Equal(extensions, _logger.Entries.Count(e => e.EventId.Id == ImdsExtendedEvent));

        // Once extending, every upstream attempt is an extension: one attempt per extension, no hot loop.
        Assert.DoesNotContain(during, c => c.At >= firstExtension && c.Failed);

        // Before the window opened, failed refreshes were spaced by the cache's backoff (at most about one a minute).
        Assert.InRange(during.Count(c => c.Failed), 1, 30);

        // After recovery the extended credentials were replaced by fresh ones at the next refresh.
        Assert.Contains(calls, c => c.At >= outageEnd && !c.Failed && !c.Extended);
        Assert.NotNull(last);
        Assert.True(last.ExpiresOn - end > StaticStability.MaximumExtension, "the credentials served at the end are fresh ones, not extended ones");
        Assert.Single(_logger.Entries, e => e.EventId.Id == ImdsRecoveredEvent);
    }

    private Ec2InstanceMetadataCredentialSource CreateImds(double random) => CreateImds(() => random);

    private Ec2InstanceMetadataCredentialSource CreateImds(Func<double> random) =>
        new(
            new Ec2InstanceMetadataCredentialSourceOptions
            {
                HttpClient = _http.CreateClient(),
                RoleName = "web-role",
                Retry = new HopRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.Zero },
            },
            _environment,
            _time,
            _logger,
            random);

    private ContainerCredentialSource CreateContainer(double random) =>
        new(
            new ContainerCredentialSourceOptions
            {
                HttpClient = _http.CreateClient(),
                Retry = new HopRetryOptions { BaseDelay = TimeSpan.Zero },
            },
            _environment,
            _time,
            _logger,
            () => random);
}
