using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Aws;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>
/// The Testing package's ready topology, used the way a user's integration test uses it: start it, register one
/// workload's environment, call the registration method, and the emulator verifies every hop (token signature and
/// audience at STS, the trust policy and role chain at AWS STS, the workloadIdentityUser binding at IAM Credentials).
/// </summary>
public sealed class DemoTopologyTests
{
    private const string StorageReadOnly = "https://www.googleapis.com/auth/devstorage.read_only";

    [Fact]
    public async Task EksPod_AddGoogleFromAwsIdentity_ListsTheAppBucketWithStorageClient()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        await using ServiceProvider provider = GoogleServices(demo.EksPod);

        StorageClient storage = await new StorageClientBuilder
        {
            Credential = provider.GetRequiredService<ICredential>(),
            BaseUri = demo.Cloud.StorageBaseUri.AbsoluteUri,
        }.BuildAsync();
        string[] names = [.. (await storage.ListObjectsAsync(DemoTopology.AppBucket).ToArrayAsync()).Select(o => o.Name)];

        Assert.Equal(["readme.txt", "reports/2026-11.csv"], names);
        Assert.Contains(demo.Cloud.Requests.For(EmulatedService.IamCredentials), r => r.Path.Contains(DemoTopology.GcsReader, StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ec2Instance_AddGoogleFromAwsIdentity_ImpersonatesTheBigQueryReaderThroughInstanceMetadata()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        await using ServiceProvider provider = GoogleServices(demo.Ec2Instance);

        AuthToken token = await provider.GetRequiredService<ICredentialProvider<AuthToken>>().GetAsync(TestContext.Timeout);

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Contains(demo.Cloud.Requests.For(EmulatedService.InstanceMetadata), r => r.Path.Contains(DemoTopology.InstanceRoleName, StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.OK);
        Assert.Contains(demo.Cloud.Requests.For(EmulatedService.IamCredentials), r => r.Path.Contains(DemoTopology.BigQueryReader, StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task EksPodTargetProfile_AddEksToken_ClusterSeesTheTargetRole()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<ISystemEnvironment>(demo.EksPod);
        services.AddAwsCredentials(o => o.Profile.ProfileName = DemoTopology.TargetProfile);
        services.AddEksToken(DemoTopology.TargetCluster, o => o.StsEndpoint = demo.Cloud.AwsStsEndpoint);
        await using ServiceProvider provider = services.BuildServiceProvider();

        AuthToken token = await provider.GetRequiredKeyedService<RefreshAheadCache<AuthToken>>(DemoTopology.TargetCluster).GetAsync(TestContext.Timeout);
        EksTokenReview review = await demo.Cloud.VerifyEksTokenAsync(token.Token, DemoTopology.TargetCluster, TestContext.Timeout);

        Assert.Null(review.Error);
        Assert.Equal(DemoTopology.TargetRoleArn, review.CanonicalArn);
    }

    [Fact]
    public async Task InjectedPod_AddAwsCredentials_AssumesThePodRoleWithWebIdentity()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<ISystemEnvironment>(demo.InjectedPod);
        services.AddAwsCredentials();
        services.AddEksToken("any-cluster", o => o.StsEndpoint = demo.Cloud.AwsStsEndpoint);
        await using ServiceProvider provider = services.BuildServiceProvider();

        AuthToken token = await provider.GetRequiredKeyedService<RefreshAheadCache<AuthToken>>("any-cluster").GetAsync(TestContext.Timeout);
        EksTokenReview review = await demo.Cloud.VerifyEksTokenAsync(token.Token, "any-cluster", TestContext.Timeout);

        Assert.Equal(DemoTopology.PodRoleArn, review.CanonicalArn);
        Assert.Contains(demo.Cloud.Requests.For(EmulatedService.AwsSts), r => r.Form.TryGetValue("RoleSessionName", out string? session) && session == "mh9test");
    }

    [Fact]
    public async Task TargetAccountPod_RoleChainSignsTheSubject_GoogleAdmitsTheDeployer()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        // gcloud's aws1 file alone means Google's behaviour (environment keys, then instance metadata); the full AWS
        // chain follows AWS_PROFILE through the role chain.
        await using ServiceProvider provider = GoogleServices(demo.TargetAccountPod, c => c.UseDefaultAwsCredentialChain = true);

        AuthToken token = await provider.GetRequiredService<ICredentialProvider<AuthToken>>().GetAsync(TestContext.Timeout);

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Contains(demo.Cloud.Requests.For(EmulatedService.IamCredentials), r => r.Path.Contains(DemoTopology.Deployer, StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.OK);
        Assert.Empty(demo.Cloud.Requests.For(EmulatedService.InstanceMetadata));
    }

    [Fact]
    public async Task HealthCheckService_EksPod_DegradedBeforeTheFirstTokenThenHealthy()
    {
        await using DemoTopology demo = await DemoTopology.StartAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ISystemEnvironment>(demo.EksPod);
        services.AddGoogleFromAwsIdentity(o => o.AllowNonStandardEndpoints = true);
        services.AddHealthChecks().AddCrossCloudAuth(tags: ["ready"]);
        await using ServiceProvider provider = services.BuildServiceProvider();
        HealthCheckService health = provider.GetRequiredService<HealthCheckService>();

        HealthReport before = await health.CheckHealthAsync(r => r.Tags.Contains("ready"), TestContext.Timeout);
        int callsBefore = demo.Cloud.Requests.Count;
        await provider.GetRequiredService<ICredentialProvider<AuthToken>>().GetAsync(TestContext.Timeout);
        HealthReport after = await health.CheckHealthAsync(r => r.Tags.Contains("ready"), TestContext.Timeout);

        Assert.Equal(HealthStatus.Degraded, before.Status);
        Assert.Equal(0, callsBefore); // the check reads caches; it never calls upstream
        Assert.Equal(HealthStatus.Healthy, after.Status);
        HealthReportEntry entry = after.Entries["crosscloudauth"];
        Assert.All(entry.Data.Values, v => Assert.StartsWith("fresh; expires ", (string)v, StringComparison.Ordinal));
        string everything = string.Join('\n', entry.Data.Values.Append(entry.Description).Append(before.Entries["crosscloudauth"].Description));
        Errors.AssertNoSecrets(everything, demo.EksPod.GetFileText(DemoTopology.ProjectedTokenFile)!);
    }

    private static ServiceProvider GoogleServices(ISystemEnvironment workload, Action<CrossCloudAuth.Google.GoogleFederatedCredentialOptions>? credential = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(workload);
        services.AddGoogleFromAwsIdentity(o =>
        {
            o.Scopes.Add(StorageReadOnly);
            o.AllowNonStandardEndpoints = true;   // the emulator speaks http on loopback
            o.ConfigureCredential = credential;
        });
        return services.BuildServiceProvider();
    }
}
