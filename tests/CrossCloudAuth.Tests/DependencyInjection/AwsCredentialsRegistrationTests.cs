using Amazon.Runtime;
using CrossCloudAuth.Aws;
using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Tests.Aws;
using CrossCloudAuth.Tests.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;

namespace CrossCloudAuth.Tests.DependencyInjection;

public sealed class AwsCredentialsRegistrationTests
{
    private const string TargetKeyId = "ASIATARGETKEYID00002";
    private readonly DiTestWorld _world = new();
    private readonly FakeHttpHandler _sts = new();

    public AwsCredentialsRegistrationTests()
    {
        // Seed 002: the webhook-injected role ARN and projected token path.
        _world.Environment
            .Set("AWS_ROLE_ARN", "arn:aws:iam::1234567890:role/my-example-workload-role-1")
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", DiTestWorld.TokenPath);
        _sts.On(HttpMethod.Post, "/", async request =>
        {
            string body = await request.Content!.ReadAsStringAsync();
            return await (body.Contains("Action=AssumeRoleWithWebIdentity", StringComparison.Ordinal)
                ? StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(_world.Time.GetUtcNow().AddHours(1)))
                : StsResponses.Ok(StsResponses.AssumeRole(_world.Time.GetUtcNow().AddHours(1), TargetKeyId)))(request);
        });
    }

    [Fact]
    public async Task AddAwsCredentials_Seed002WebhookEnvironment_AssumesTheRoleWithZeroConfiguration()
    {
        // Arrange
        using ServiceProvider provider = Build(s => s.AddAwsCredentials());

        // Act
        AWSCredentials credentials = provider.GetRequiredService<AWSCredentials>();
        ImmutableCredentials immutable = await credentials.GetCredentialsAsync();

        // Assert
        Assert.Equal(AwsTestData.AccessKeyId, immutable.AccessKey);
        Assert.Equal(AwsTestData.SessionToken, immutable.Token);
        Assert.Same(immutable, credentials.GetCredentials());
        Assert.StartsWith("aws-sts:AssumeRoleWithWebIdentity(", provider.GetRequiredService<ICredentialProvider<AwsCredentials>>().HopName, StringComparison.Ordinal);
        Assert.Single(_sts.Requests);
    }

    [Fact]
    public async Task AddAwsCredentials_RoleChain_SignsWithTheTargetRole()
    {
        using ServiceProvider provider = Build(s => s.AddAwsCredentials(o => o.RoleChain.Add(new AssumeRoleCredentialSourceOptions
        {
            RoleArn = "arn:aws:iam::222222222222:role/target-account-iam-role",
            RoleSessionName = "xactarget",
        })));

        ImmutableCredentials immutable = await provider.GetRequiredService<AWSCredentials>().GetCredentialsAsync();

        Assert.Equal(TargetKeyId, immutable.AccessKey);
        Assert.Equal(2, _sts.Requests.Count);
        Assert.Equal("aws-sts:AssumeRole(arn:aws:iam::222222222222:role/target-account-iam-role)", provider.GetRequiredService<ICredentialProvider<AwsCredentials>>().HopName);
    }

    [Fact]
    public async Task AddAwsCredentials_NamedIdentities_AreIsolatedAndKeyed()
    {
        using ServiceProvider provider = Build(s => s
            .AddAwsCredentials()
            .AddAwsCredentials("target", o => o.RoleChain.Add(new AssumeRoleCredentialSourceOptions { RoleArn = "arn:aws:iam::222222222222:role/target-account-iam-role" })));

        ImmutableCredentials own = await provider.GetRequiredService<AWSCredentials>().GetCredentialsAsync();
        ImmutableCredentials target = await provider.GetRequiredKeyedService<AWSCredentials>("target").GetCredentialsAsync();

        Assert.Equal(AwsTestData.AccessKeyId, own.AccessKey);
        Assert.Equal(TargetKeyId, target.AccessKey);
    }

    [Fact]
    public async Task AddGoogleFromAwsIdentity_UseAwsCredentials_SignsTheSubjectWithTheRoleChain()
    {
        // Arrange: F5, the chain's target role signs the aws4_request subject that Google STS verifies.
        using ServiceProvider provider = Build(s => s
            .AddAwsCredentials(o => o.RoleChain.Add(new AssumeRoleCredentialSourceOptions { RoleArn = "arn:aws:iam::222222222222:role/target-account-iam-role" }))
            .AddGoogleFromAwsIdentity(o =>
            {
                o.Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/providers/aws";
                o.UseAwsCredentials = true;
                o.AwsRegion = "us-east-1";
                o.ServiceAccountEmail = "sa01@my-project.iam.gserviceaccount.com";
            }));

        // Act
        AuthToken token = await provider.GetRequiredService<ICredentialProvider<AuthToken>>().GetAsync();

        // Assert
        Assert.Equal(DiTestWorld.AccessToken, token.Token);
        Google.RecordedRequest exchange = Assert.Single(_world.Google.RequestsTo(FakeGoogleEndpoints.StsUrl));
        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", exchange.Form["subject_token_type"]);
        Assert.Contains("Credential=" + TargetKeyId, Uri.UnescapeDataString(exchange.Form["subject_token"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddEksToken_NamedCluster_SignsCachedBearerTokensWithTheAwsIdentity()
    {
        using ServiceProvider provider = Build(s => s.AddEksToken("ci-cluster", o => o.Region = "us-east-1"));
        CrossCloudAuth.Caching.RefreshAheadCache<AuthToken> tokens = provider.GetRequiredKeyedService<CrossCloudAuth.Caching.RefreshAheadCache<AuthToken>>("ci-cluster");

        AuthToken token = await tokens.GetAsync();

        Assert.StartsWith(EksTokenSource.TokenPrefix, token.Token, StringComparison.Ordinal);
        Assert.True(token.ExpiresOn <= _world.Time.GetUtcNow().AddMinutes(14));
        Assert.Same(token, await tokens.GetAsync());
        Assert.Equal("aws-eks:token(ci-cluster)", tokens.HopName);
        Assert.Contains(provider.GetRequiredService<CrossCloudAuth.DependencyInjection.CredentialHealth>().GetStatuses(), s => s.HopName == "aws-eks:token(ci-cluster)");
    }

    [Fact]
    public void AddEksToken_InvalidArguments_Throw()
    {
        ServiceCollection services = new();

        Assert.Throws<ArgumentNullException>("services", () => CrossCloudAuthServiceCollectionExtensions.AddEksToken(null!, "c"));
        Assert.Throws<ArgumentException>("clusterName", () => services.AddEksToken(""));
        Assert.Throws<ArgumentNullException>("awsCredentialsName", () => services.AddEksToken("c", awsCredentialsName: null!));
    }

    [Fact]
    public async Task AddAwsCredentials_ProfileNamedInOptions_UsesTheSharedConfigProfile()
    {
        _world.Environment
            .Set("AWS_ROLE_ARN", null)
            .Set("AWS_CONFIG_FILE", "/etc/aws/config")
            .WithFile("/etc/aws/config", "[profile ci]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = profileSECRET\n");

        using ServiceProvider provider = Build(s => s.AddAwsCredentials(o => o.Profile.ProfileName = "ci"));
        ImmutableCredentials immutable = await provider.GetRequiredService<AWSCredentials>().GetCredentialsAsync();

        Assert.Equal("AKIAPROFILEKEY000001", immutable.AccessKey);
        Assert.Empty(_sts.Requests);
    }

    private ServiceProvider Build(Action<IServiceCollection> add) => _world.BuildProvider(s =>
    {
        s.ConfigureAll<AwsCredentialsOptions>(o => o.HttpClient = _sts.CreateClient());
        add(s);
    });
}
