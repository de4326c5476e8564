using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Samples.Quickstart;
using CrossCloudAuth.Testing;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F3 and F5 written with the cached-by-default entry point, against the verifying emulator: many reads cost
/// one call per hop, and the cluster and Google see the target role.</summary>
public sealed class AwsCredentialChainFlowTests
{
    private const string Target = "arn:aws:sts::222222222222:assumed-role/target-account-iam-role/xactarget";
    private const int Reads = 20;

    [Fact]
    public async Task F3_FluentChainEksToken_OneCallPerHopAndTheClusterSeesTheTargetRole()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        using AwsCredentialChain target = AwsCredentialChain.FromWebIdentity(context: new CredentialContext { Environment = world.EksPod })
            .AssumeRole(World.TargetRoleArn, o => o.RoleSessionName = "xactarget");
        RefreshAheadCache<AuthToken> eks = target.EksToken(World.TargetCluster, o => o.StsEndpoint = world.Cloud.AwsStsEndpoint);

        AuthToken token = await eks.GetAsync();
        for (int i = 0; i < Reads; i++)
        {
            Assert.Same(token, await eks.GetAsync());
            await target.SdkCredentials.GetCredentialsAsync();
        }

        string[] actions = StsActions(world);
        Testing.Aws.EksTokenReview review = await world.Cloud.VerifyEksTokenAsync(token.Token, World.TargetCluster);

        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], actions);
        Assert.True(review.IsAuthenticated, review.ToString());
        Assert.Equal(Target, review.CallerArn);
    }

    [Fact]
    public async Task F5_FluentChainGoogleCredentialFromAws1File_OneCallPerHopAndImpersonates()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFileAsync(world.F5CredentialFile, world.EksPod);
        using AwsCredentialChain target = AwsCredentialChain.FromWebIdentity(context: new CredentialContext { Environment = world.EksPod })
            .AssumeRole(World.TargetRoleArn, o => o.RoleSessionName = "xactarget");
        GoogleFederatedCredential google = target.GoogleCredentialFromConfiguration(configuration, o => o.AllowNonStandardEndpoints = true);

        AuthToken token = await google.GetAsync();
        for (int i = 0; i < Reads; i++)
        {
            Assert.Same(token, await google.GetAsync());
        }

        Assert.Single(world.Cloud.Requests.For(EmulatedService.GoogleSts));
        Assert.Single(world.Cloud.Requests.For(EmulatedService.IamCredentials));
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], StsActions(world));
        Assert.Equal(World.Deployer, google.ServiceAccountEmail);
    }

    /// <summary>The role hops' STS calls (the emulator's own replays of signed GetCallerIdentity requests left out).</summary>
    private static string[] StsActions(EmulatedWorld world) =>
        [.. world.Cloud.Requests.For(EmulatedService.AwsSts)
            .Select(r => r.Form.TryGetValue("Action", out string? action) ? action : string.Empty)
            .Where(a => a.StartsWith("AssumeRole", StringComparison.Ordinal))];
}
