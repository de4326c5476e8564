using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrossCloudAuth.Tests.DependencyInjection;

/// <summary>
/// AWS SDK clients registered with AWSSDK.Extensions.NETCore.Setup's <c>AddAWSService&lt;T&gt;()</c> after
/// <c>AddAwsCredentials()</c>, against the emulator's STS (which verifies every SigV4 signature and trust policy).
/// AWSSDK signs with the machine's clock, so the emulator keeps that clock too.
/// </summary>
public sealed class AwsSdkClientRegistrationTests
{
    private const string CiAccount = "111122223333";
    private const string TargetAccount = "444455556666";

    [Fact]
    public async Task AddAWSService_AfterAddAwsCredentialsWithRoleChain_CallsAwsAsTheTargetRole()
    {
        // Arrange: a CI user's keys in the environment; the target account's role trusts that user.
        AwsUser? ci = null;
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            ci = b.AddAwsAccount(CiAccount).AddUser("ci-runner");
            b.AddAwsAccount(TargetAccount).AddRole("target-role", t => t.AllowPrincipal(ci.Arn));
        });
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_ACCESS_KEY_ID", ci!.Credentials.AccessKeyId)
            .Set("AWS_SECRET_ACCESS_KEY", ci.Credentials.SecretAccessKey);
        ServiceCollection services = new();
        services.AddSingleton<ISystemEnvironment>(environment);
        services.AddAwsCredentials(o =>
        {
            o.Region = "eu-central-1";
            o.StsServiceUrl = cloud.AwsStsEndpoint;
            o.RoleChain.Add(new AssumeRoleCredentialSourceOptions { RoleArn = $"arn:aws:iam::{TargetAccount}:role/target-role", RoleSessionName = "deploy" });
        });

        // The application's usual line; the endpoint override only points the client at the emulator.
        services.AddAWSService<IAmazonSecurityTokenService>((config, _) => config.ServiceURL = cloud.AwsStsEndpoint.AbsoluteUri);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));

        // Act
        IAmazonSecurityTokenService sts = provider.GetRequiredService<IAmazonSecurityTokenService>();
        GetCallerIdentityResponse identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), timeout.Token);
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), timeout.Token);

        // Assert: the emulator saw the target role, and the role was assumed once for both calls (the cache).
        Assert.Equal($"arn:aws:sts::{TargetAccount}:assumed-role/target-role/deploy", identity.Arn);
        Assert.Equal(TargetAccount, identity.Account);
        Assert.Single(cloud.Requests.For(EmulatedService.AwsSts), r => r.Form.GetValueOrDefault("Action") == "AssumeRole");
        AWSOptions options = provider.GetRequiredService<AWSOptions>();
        Assert.Same(provider.GetRequiredService<AWSCredentials>(), options.Credentials);
        Assert.Equal(RegionEndpoint.EUCentral1, options.Region);
    }

    [Fact]
    public void AddAwsCredentials_ApplicationAwsSection_KeepsItsSettingsAndUsesTheRegisteredCredentials()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AWS:Region"] = "ap-northeast-1", ["AWS:Profile"] = "ignored-by-credentials" })
            .Build();
        ServiceCollection services = new();
        services.AddSingleton(configuration);
        services.AddSingleton<ISystemEnvironment>(new FakeSystemEnvironment().Set("AWS_REGION", "us-west-2"));
        services.AddAwsCredentials();
        using ServiceProvider provider = services.BuildServiceProvider();

        AWSOptions options = provider.GetRequiredService<AWSOptions>();

        Assert.Equal(RegionEndpoint.APNortheast1, options.Region);
        Assert.IsType<CachedAwsCredentials>(options.Credentials);
        Assert.Same(provider.GetRequiredService<AWSCredentials>(), options.Credentials);
    }

    [Fact]
    public async Task AddAwsCredentials_LaptopDefaultProfileWithoutAwsProfile_UsesTheDefaultProfile()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .WithFile("/home/test/.aws/credentials", "[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptopSecretKey0000000000000000000000001\n");
        ServiceCollection services = new();
        services.AddSingleton<ISystemEnvironment>(environment);
        services.AddAwsCredentials();
        await using ServiceProvider provider = services.BuildServiceProvider();

        ImmutableCredentials credentials = await provider.GetRequiredService<AWSOptions>().Credentials.GetCredentialsAsync();

        Assert.Equal("AKIALAPTOP0000000001", credentials.AccessKey);
        Assert.Equal("aws-profile:default", provider.GetRequiredService<ICredentialProvider<AwsCredentials>>().HopName);
    }

    [Fact]
    public void AddAwsCredentials_ApplicationRegisteredAwsOptionsFirst_KeepsThem()
    {
        AWSOptions own = new() { Region = RegionEndpoint.USEast2 };
        ServiceCollection services = new();
        services.AddDefaultAWSOptions(own);
        services.AddAwsCredentials();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<AWSOptions>());
    }
}
