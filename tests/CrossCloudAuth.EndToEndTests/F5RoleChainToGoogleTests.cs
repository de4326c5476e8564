using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Samples.Quickstart;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F5: the role chain of F3 signs the aws4_request subject; Google sees the target account's role.</summary>
public sealed class F5RoleChainToGoogleTests
{
    private const string TargetRole = "arn:aws:sts::222222222222:assumed-role/target-account-iam-role";

    [Fact]
    public async Task F5_RoleChainSignsTheSubject_GoogleSeesTheTargetRole()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var (lines, hops) = await Run.FlowAsync(world, Flows.F5Async);

        Assert.Equal("gs://release-artifacts: builds/1042/app.tar.gz.sha256 (20 B), builds/1042/manifest.json (14 B)", lines[0]);
        HopRecord exchange = Assert.Single(hops, h => h.Hop == "google-sts:token-exchange");
        Assert.EndsWith($"attribute.aws_role/{TargetRole}", exchange.Became, StringComparison.Ordinal);
        Assert.Contains(TargetRole + "/xactarget", exchange.Presented, StringComparison.Ordinal);
    }

    [Fact]
    public async Task F5_OnlyTheCiRoleWouldBeBound_PermissionDeniedGivesThePrincipalSetForm()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { BindF5 = false });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F5Async);

        Assert.Equal("PERMISSION_DENIED", error.ErrorCode);
        Assert.Contains("principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/attribute.aws_role/", error.Message, StringComparison.Ordinal);
        Errors.AssertActionable(error, $"iam-credentials:generateAccessToken({World.Deployer})", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F5_AttributeConditionFalse_UnauthorizedClientAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { TargetCondition = "attribute.aws_role.endsWith('/release-role')" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F5Async);

        Assert.Equal("unauthorized_client", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F5_TamperedSignature_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        var (configuration, chain) = await ChainAsync(world);
        AwsCredentials keys = await chain.GetAsync();
        using GoogleFederatedCredential credential = await AwsSubjectCredentials.BuildAsync(configuration, chain, world.EksPod, tamperSignature: true);

        var error = await Assert.ThrowsAsync<CredentialRequestFailedException>(async () => await credential.GetAsync());

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", keys.SecretAccessKey, keys.SessionToken!);
    }

    [Fact]
    public async Task F5_PodClockTwentyMinutesBehind_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        var (configuration, chain) = await ChainAsync(world);
        AwsCredentials keys = await chain.GetAsync();
        using GoogleFederatedCredential credential = await AwsSubjectCredentials.BuildAsync(configuration, chain, world.EksPod, signerClock: new SkewedTimeProvider(TimeSpan.FromMinutes(-20)));

        var error = await Assert.ThrowsAsync<CredentialRequestFailedException>(async () => await credential.GetAsync());

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", keys.SecretAccessKey, keys.SessionToken!);
    }

    private static async Task<(ExternalAccountConfiguration Configuration, RefreshAheadCache<AwsCredentials> Chain)> ChainAsync(EmulatedWorld world)
    {
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFileAsync(world.F5CredentialFile, world.EksPod);
        var chain = new RefreshAheadCache<AwsCredentials>(new AwsProfileCredentialSource(new AwsProfileCredentialSourceOptions { ProfileName = "target-env" }, new CredentialContext { Environment = world.EksPod }));
        return (configuration, chain);
    }
}
