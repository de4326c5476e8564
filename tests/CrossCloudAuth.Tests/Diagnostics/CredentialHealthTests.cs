using System.Net;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Diagnostics;
using CrossCloudAuth.Tests.DependencyInjection;
using CrossCloudAuth.Tests.Google;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using CrossCloudAuth.DependencyInjection;

namespace CrossCloudAuth.Tests.Diagnostics;

public sealed class CredentialHealthTests
{
    private const string Impersonation = "iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)";
    private readonly DiTestWorld _world = new();

    [Fact]
    public async Task CheckHealthAsync_NothingRequestedYet_IsDegradedWithoutCallingUpstream()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Empty(_world.Google.Requests);
        Assert.Equal("not requested yet; no credential obtained", result.Data["google-sts:token-exchange"]);
        Assert.Contains("google-sts:token-exchange: not requested yet", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("failure", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_TokenHeld_IsHealthyWithExpiry()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("fresh; expires 2026-11-23T13:00:00.0000000+00:00 (in 3600 s)", (string)result.Data[Impersonation], StringComparison.Ordinal);
        Assert.Equal("2 credential hop(s): 2 healthy, 0 not requested yet, 0 failing, 0 without a usable credential.", result.Description);
        Assert.DoesNotContain(DiTestWorld.AccessToken, result.Description ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_InRefreshWindowWithoutFailure_IsHealthyAndSaysStale()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();
        _world.Time.Advance(TimeSpan.FromMinutes(58));

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.StartsWith("stale; expires 2026-11-23T13:00:00.0000000+00:00 (in 120 s); refreshing in the background", (string)result.Data[Impersonation], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_CredentialExpiredUnused_IsUnhealthyNamingTheHop()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();
        _world.Time.Advance(TimeSpan.FromHours(2));

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("expired; no usable credential; expired 2026-11-23T13:00:00.0000000+00:00 (3600 s ago)", result.Data[Impersonation]);
        Assert.Contains($"{Impersonation}: expired; no usable credential", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_ExchangeRejected_ReportsTheFailureStatusNamingTheHop()
    {
        _world.Google.OnSts(_ => FakeGoogleEndpoints.Json("""{"error":"invalid_grant","error_description":"The audience in ID Token does not match the expected audience."}""", HttpStatusCode.BadRequest));
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context(HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, result.Status); // the registration's failure status
        Assert.Contains("google-sts:token-exchange: unavailable; no credential obtained; 1 failure(s) in a row, next attempt", result.Description, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("not requested yet", (string)result.Data["google-sts:token-exchange"], StringComparison.Ordinal);
        Assert.DoesNotContain(DiTestWorld.ProjectedToken, result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_IdentityCannotBeBuilt_ReportsItsError()
    {
        _world.Environment.RemoveFile(DiTestWorld.ConfigPath);
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("google:default: unavailable; no credential obtained; 1 failure(s) in a row;", result.Description, StringComparison.Ordinal);
        Assert.Contains(DiTestWorld.ConfigPath, result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheckService_AddCrossCloudAuth_GoesDegradedThenHealthyThenUnhealthy()
    {
        using ServiceProvider provider = _world.BuildProvider(s =>
        {
            s.AddLogging();
            s.AddGoogleFromAwsIdentity();
            s.AddHealthChecks().AddCrossCloudAuth();
        });
        HealthCheckService health = provider.GetRequiredService<HealthCheckService>();

        HealthReport before = await health.CheckHealthAsync();
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();
        HealthReport held = await health.CheckHealthAsync();
        _world.Time.Advance(TimeSpan.FromHours(2));
        HealthReport expired = await health.CheckHealthAsync();

        Assert.Equal([HealthStatus.Degraded, HealthStatus.Healthy, HealthStatus.Unhealthy], new[] { before.Status, held.Status, expired.Status });
        Assert.Equal(["crosscloudauth"], before.Entries.Keys);
        Assert.Equal(1, _world.Google.Requests.Count(r => r.Url.EndsWith("/v1/token", StringComparison.Ordinal)));
    }

    [Fact]
    public void AddCrossCloudAuth_NameTagsAndFailureStatus_AreRegistered()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddLogging().AddHealthChecks()
            .AddCrossCloudAuth("cloud-identity", HealthStatus.Degraded, ["ready", "identity"], TimeSpan.FromSeconds(2)));

        HealthCheckRegistration registration = Assert.Single(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations);

        Assert.Equal("cloud-identity", registration.Name);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
        Assert.Equal(["identity", "ready"], registration.Tags.Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(2), registration.Timeout);
    }

    [Fact]
    public async Task AddCrossCloudAuth_NoIdentityRegistered_IsDegradedSayingWhatToRegister()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddLogging().AddHealthChecks().AddCrossCloudAuth());

        HealthReport report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("No credential is registered", report.Entries["crosscloudauth"].Description, StringComparison.Ordinal);
    }

    public static TheoryData<CredentialCacheState, bool> EveryHopCombination()
    {
        TheoryData<CredentialCacheState, bool> data = [];
        foreach (CredentialCacheState state in Enum.GetValues<CredentialCacheState>())
        {
            data.Add(state, false);
            data.Add(state, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryHopCombination))]
    public void Evaluate_EveryStateWithAndWithoutFailure_StatusAndTextAgree(CredentialCacheState state, bool failed)
    {
        CredentialCacheStatus status = Status("hop-a", state, failed);

        HealthCheckResult result = CredentialHealth.Evaluate([status], Now, HealthStatus.Unhealthy);

        string text = (string)result.Data["hop-a"];
        HealthStatus expected = (state, failed) switch
        {
            (CredentialCacheState.Expired, _) or (CredentialCacheState.Empty, true) => HealthStatus.Unhealthy,
            (CredentialCacheState.Empty, false) or (_, true) => HealthStatus.Degraded,
            _ => HealthStatus.Healthy,
        };
        Assert.Equal(expected, result.Status);
        Assert.Equal(failed, text.Contains("failure(s)", StringComparison.Ordinal));
        Assert.Equal(failed, text.Contains("last error: [hop-a] upstream said no", StringComparison.Ordinal));
        Assert.Equal(state == CredentialCacheState.Empty && !failed, text.Contains("not requested", StringComparison.Ordinal));
        Assert.Equal(state == CredentialCacheState.Expired, text.StartsWith("expired", StringComparison.Ordinal));
        Assert.Equal(expected == HealthStatus.Unhealthy, text.Contains("no usable credential", StringComparison.Ordinal) || text.Contains("no credential obtained; 1", StringComparison.Ordinal));
        Assert.Equal(expected != HealthStatus.Healthy, result.Description!.Contains("hop-a: " + text, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(EveryHopCombination))]
    public void Evaluate_AnyHopBesideAHealthyOne_TheWorstDecides(CredentialCacheState state, bool failed)
    {
        CredentialCacheStatus healthy = Status("hop-ok", CredentialCacheState.Fresh, failed: false);
        CredentialCacheStatus other = Status("hop-b", state, failed);

        HealthCheckResult alone = CredentialHealth.Evaluate([other], Now, HealthStatus.Unhealthy);
        HealthCheckResult both = CredentialHealth.Evaluate([healthy, other], Now, HealthStatus.Unhealthy);

        Assert.Equal(alone.Status, both.Status);
        Assert.Equal(alone.Data["hop-b"], both.Data["hop-b"]);
        Assert.DoesNotContain("hop-ok:", both.Description, StringComparison.Ordinal);
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CredentialCacheStatus Status(string hop, CredentialCacheState state, bool failed)
    {
        bool held = state != CredentialCacheState.Empty;
        DateTimeOffset expiresOn = state switch
        {
            CredentialCacheState.Fresh => Now.AddHours(1),
            CredentialCacheState.Stale => Now.AddMinutes(2),
            _ => Now.AddMinutes(-1),
        };
        return new CredentialCacheStatus(
            hop,
            state,
            held ? expiresOn : null,
            held ? expiresOn.AddMinutes(-5) : null,
            held ? expiresOn.AddSeconds(-30) : null,
            held ? expiresOn.AddHours(-1) : null,
            failed ? new CredentialRequestFailedException(hop, "upstream said no") : null,
            failed ? 1 : 0,
            failed ? Now.AddSeconds(30) : null);
    }

    private static HealthCheckContext Context(HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        new() { Registration = new HealthCheckRegistration("credentials", _ => null!, failureStatus, tags: null) };
}

public sealed class CredentialHealthDegradedTests
{
    [Fact]
    public async Task CheckHealthAsync_BackgroundRefreshFailsWhileCachedCredentialUsable_IsDegraded()
    {
        // Arrange: seed 002's pod; the first AssumeRoleWithWebIdentity succeeds, every later one is throttled.
        DiTestWorld world = new();
        world.Environment
            .Set("AWS_ROLE_ARN", "arn:aws:iam::1234567890:role/my-example-workload-role-1")
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", DiTestWorld.TokenPath);
        CrossCloudAuth.Tests.TestDoubles.FakeHttpHandler sts = new();
        sts.On(
            HttpMethod.Post,
            "/",
            CrossCloudAuth.Tests.Aws.StsResponses.Ok(CrossCloudAuth.Tests.Aws.StsResponses.AssumeRoleWithWebIdentity(world.Time.GetUtcNow().AddHours(1))),
            CrossCloudAuth.Tests.Aws.StsResponses.Fail(HttpStatusCode.BadRequest, "InvalidIdentityToken", "Token expired"));
        using ServiceProvider provider = world.BuildProvider(s => s
            .ConfigureAll<CrossCloudAuth.DependencyInjection.AwsCredentialsOptions>(o => o.HttpClient = sts.CreateClient())
            .AddAwsCredentials());
        Amazon.Runtime.AWSCredentials credentials = provider.GetRequiredService<Amazon.Runtime.AWSCredentials>();
        await credentials.GetCredentialsAsync();

        // Act: into the refresh window; the caller still gets the cached credentials, the background refresh fails.
        world.Time.Advance(TimeSpan.FromMinutes(50));
        await credentials.GetCredentialsAsync();
        Task? refresh = provider.GetRequiredService<CrossCloudAuth.DependencyInjection.AwsIdentityRegistry>().Get(string.Empty).Caches[0].PendingRefresh;
        if (refresh is not null)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => refresh);
        }

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("credentials", _ => null!, HealthStatus.Unhealthy, tags: null),
        });

        // Assert
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("serving the cached credential until", result.Description, StringComparison.Ordinal);
        Assert.Contains("aws-sts:AssumeRoleWithWebIdentity(arn:aws:iam::1234567890:role/my-example-workload-role-1): failing; serving the cached credential until", result.Description, StringComparison.Ordinal);
        Assert.Contains("last error: [aws-sts:AssumeRoleWithWebIdentity", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(CrossCloudAuth.Tests.Aws.AwsTestData.SecretAccessKey, result.Description, StringComparison.Ordinal);
    }
}
