using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Samples.Quickstart;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F4: webhook-injected AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE → AssumeRoleWithWebIdentity → AWS SDK clients.</summary>
public sealed class F4InjectedPodTests
{
    private const string Hop = "aws-sts:AssumeRoleWithWebIdentity(" + World.PodRoleArn + ")";

    [Fact]
    public async Task F4_InjectedEnvironment_AwsSdkActsAsThePodRole()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var (lines, hops) = await Run.FlowAsync(world, Flows.F4Async);

        Assert.Equal("AWS SDK (AmazonSecurityTokenServiceClient over CachedAwsCredentials) acts as arn:aws:sts::111111111111:assumed-role/my-example-workload-role-1/mh9test", lines[0]);
        Assert.Equal([Hop, "aws-sts:GetCallerIdentity"], hops.Select(h => h.Hop));
    }

    [Fact]
    public async Task F4_TokenForAnotherAudience_InvalidIdentityToken()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string token = world.Issuer.MintServiceAccountToken("default", "my-s3-reader-ksa", audience: "vault");
        await world.WriteInjectedPodTokenAsync(token);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F4Async);

        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Errors.AssertActionable(error, Hop, token);
    }

    [Fact]
    public async Task F4_ServiceAccountNotInTheTrustPolicy_AccessDenied()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { PodRoleSubject = "system:serviceaccount:default:someone-else" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F4Async);

        Assert.Equal("AccessDenied", error.ErrorCode);
        Errors.AssertActionable(error, Hop, await File.ReadAllTextAsync(world.InjectedPodTokenFile));
    }

    [Fact]
    public async Task F4_ExpiredToken_Rejected()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string expired = world.Issuer.MintServiceAccountToken("default", "my-s3-reader-ksa", lifetime: TimeSpan.FromHours(1), issuedAt: DateTimeOffset.UtcNow.AddHours(-3));
        await world.WriteInjectedPodTokenAsync(expired);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F4Async);

        Assert.Contains(error.ErrorCode, new[] { "ExpiredTokenException", "InvalidIdentityToken" });
        Errors.AssertActionable(error, Hop, expired);
    }

    [Fact]
    public async Task F4_TamperedToken_InvalidIdentityToken()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string tampered = OidcIssuer.Tamper(await File.ReadAllTextAsync(world.InjectedPodTokenFile));
        await world.WriteInjectedPodTokenAsync(tampered);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F4Async);

        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Errors.AssertActionable(error, Hop, tampered);
    }

    [Fact]
    public async Task F4_TokenFromAKubeletWhoseClockRunsAnHourAhead_Rejected()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string early = world.Issuer.MintServiceAccountToken("default", "my-s3-reader-ksa", issuedAt: DateTimeOffset.UtcNow.AddHours(1));
        await world.WriteInjectedPodTokenAsync(early);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F4Async);

        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Errors.AssertActionable(error, Hop, early);
    }

    [Fact]
    public async Task F4_NoInjectedVariables_CredentialUnavailable()
    {
        var bare = new SandboxEnvironment("bare-pod", new Dictionary<string, string>(), null);
        var source = new WebIdentityCredentialSource(context: new CredentialContext { Environment = bare });

        var error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(async () => await source.GetAsync());

        Assert.Contains("AWS_ROLE_ARN", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"[{error.HopName}]", error.Message, StringComparison.Ordinal);
    }
}
