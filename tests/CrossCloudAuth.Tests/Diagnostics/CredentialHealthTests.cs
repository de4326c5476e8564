using System.Net;
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
    private readonly DiTestWorld _world = new();

    [Fact]
    public async Task CheckHealthAsync_NothingRequestedYet_IsHealthyWithoutCallingUpstream()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Empty(_world.Google.Requests);
        Assert.Equal("not requested yet", result.Data["google-sts:token-exchange"]);
    }

    [Fact]
    public async Task CheckHealthAsync_TokenHeld_IsHealthyWithExpiry()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        string impersonation = (string)result.Data["iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)"];
        Assert.StartsWith("fresh; expires 2026-11-23T13:00:00.0000000+00:00 (in 3600 s)", impersonation, StringComparison.Ordinal);
        Assert.DoesNotContain(DiTestWorld.AccessToken, result.Description ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_ExchangeRejected_IsUnhealthyNamingTheHop()
    {
        _world.Google.OnSts(_ => FakeGoogleEndpoints.Json("""{"error":"invalid_grant","error_description":"The audience in ID Token does not match the expected audience."}""", HttpStatusCode.BadRequest));
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context(HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, result.Status); // the registration's failure status
        Assert.Contains("google-sts:token-exchange: no usable credential", result.Description, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(DiTestWorld.ProjectedToken, result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_IdentityCannotBeBuilt_ReportsItsError()
    {
        _world.Environment.RemoveFile(DiTestWorld.ConfigPath);
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());

        HealthCheckResult result = await provider.GetRequiredService<CredentialHealth>().CheckHealthAsync(Context());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("google:default", result.Description, StringComparison.Ordinal);
        Assert.Contains(DiTestWorld.ConfigPath, result.Description, StringComparison.Ordinal);
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
        Assert.StartsWith("aws-sts:AssumeRoleWithWebIdentity(arn:aws:iam::1234567890:role/my-example-workload-role-1): serving the cached credential until", result.Description, StringComparison.Ordinal);
        Assert.Contains("last error: [aws-sts:AssumeRoleWithWebIdentity", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(CrossCloudAuth.Tests.Aws.AwsTestData.SecretAccessKey, result.Description, StringComparison.Ordinal);
    }
}
