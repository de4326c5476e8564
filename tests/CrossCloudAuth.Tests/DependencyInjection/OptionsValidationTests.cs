using System.Text;
using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.Tests.DependencyInjection;

public sealed class OptionsValidationTests
{
    private readonly DiTestWorld _world = new();

    [Fact]
    public async Task StartAsync_NoConfigurationAtAll_FailsAtStartNamingTheVariableAndTheGcloudCommand()
    {
        // Arrange: an environment without GOOGLE_APPLICATION_CREDENTIALS.
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity(), new FakeSystemEnvironment());

        // Act
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        // Assert
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS", error.Message, StringComparison.Ordinal);
        Assert.Contains("gcloud iam workload-identity-pools create-cred-config", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_FileMissing_FailsAtStartNamingThePath()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().Set("GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp/missing.json");
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity(), environment);

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("/etc/gcp/missing.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("(from GOOGLE_APPLICATION_CREDENTIALS)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MalformedFile_FailsAtStart()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp/config.json")
            .WithFile("/etc/gcp/config.json", """{"type":"service_account"}""");
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity(), environment);

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("/etc/gcp/config.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audience-without-source", "Audience is set but not where subject tokens come from")]
    [InlineData("bad-audience", "is not a workload identity provider name")]
    [InlineData("relative-token", "must be an absolute path")]
    [InlineData("lifetime", "TokenLifetime must be between 5 minutes (300 s) and 12 hours (43200 s)")]
    [InlineData("both", "both CredentialsFile and Audience are set")]
    [InlineData("http-sts", "TokenUrl must be https")]
    [InlineData("cache", "Cache:")]
    public async Task StartAsync_InvalidNamedOptions_FailsAtStartWithActionableMessage(string problem, string expected)
    {
        const string Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity("analytics", o =>
        {
            o.Audience = Audience;
            o.SubjectTokenFile = DiTestWorld.TokenPath;
            switch (problem)
            {
                case "audience-without-source": o.SubjectTokenFile = null; break;
                case "bad-audience": o.Audience = "projects/1/pools/p"; break;
                case "relative-token": o.SubjectTokenFile = "token"; break;
                case "lifetime": o.ServiceAccountEmail = "sa@p.iam.gserviceaccount.com"; o.TokenLifetime = TimeSpan.FromDays(1); break;
                case "both": o.CredentialsFile = DiTestWorld.ConfigPath; break;
                case "http-sts": o.TokenUrl = new Uri("http://sts.example.com/v1/token"); break;
                case "cache": o.Cache = new() { JitterRatio = 3 }; break;
            }
        }));

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("CrossCloudAuth identity 'analytics'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidRoleChain_FailsAtStart()
    {
        using IHost host = BuildHost(s => s.AddAwsCredentials(o => o.RoleChain.Add(new CrossCloudAuth.Aws.AssumeRoleCredentialSourceOptions { RoleArn = "arn:aws:iam::222222222222:user/not-a-role" })));

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RoleChain[0].RoleArn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ValidZeroConfiguration_Starts()
    {
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity().AddAwsCredentials());

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void AddGoogleFromAwsIdentity_AppSettingsJson_BindsEveryKey()
    {
        // Arrange
        const string Json = """
            {
              "CrossCloudAuth": {
                "Google": {
                  "Audience": "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws/providers/eks",
                  "SubjectTokenFile": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
                  "ServiceAccountEmail": "reader@my-project.iam.gserviceaccount.com",
                  "Scopes": [ "https://www.googleapis.com/auth/devstorage.read_only", "https://www.googleapis.com/auth/bigquery" ],
                  "QuotaProjectId": "billing",
                  "TokenLifetime": "02:00:00",
                  "RequestTimeout": "00:00:10",
                  "AllowNonStandardEndpoints": true,
                  "TokenUrl": "http://127.0.0.1:8080/v1/token",
                  "Cache": { "ClockSkew": "00:02:00", "JitterRatio": 0.1 }
                },
                "Aws": {
                  "Source": "WebIdentity",
                  "Region": "eu-west-1",
                  "WebIdentity": { "RoleArn": "arn:aws:iam::111111111111:role/ci-account-iam-role" },
                  "RoleChain": [ { "RoleArn": "arn:aws:iam::222222222222:role/target-account-iam-role", "RoleSessionName": "xactarget", "Duration": "01:00:00" } ]
                }
              }
            }
            """;
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build();

        // Act
        using ServiceProvider provider = _world.BuildProvider(s => s
            .AddGoogleFromAwsIdentity(configuration.GetSection("CrossCloudAuth:Google"))
            .AddAwsCredentials(configuration.GetSection("CrossCloudAuth:Aws")));
        GoogleFromAwsIdentityOptions google = provider.GetRequiredService<IOptions<GoogleFromAwsIdentityOptions>>().Value;
        AwsCredentialsOptions aws = provider.GetRequiredService<IOptions<AwsCredentialsOptions>>().Value;

        // Assert
        Assert.Equal("//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws/providers/eks", google.Audience);
        Assert.Equal(DiTestWorld.TokenPath, google.SubjectTokenFile);
        Assert.Equal("reader@my-project.iam.gserviceaccount.com", google.ServiceAccountEmail);
        Assert.Equal(["https://www.googleapis.com/auth/devstorage.read_only", "https://www.googleapis.com/auth/bigquery"], google.Scopes);
        Assert.Equal("billing", google.QuotaProjectId);
        Assert.Equal(TimeSpan.FromHours(2), google.TokenLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), google.RequestTimeout);
        Assert.True(google.AllowNonStandardEndpoints);
        Assert.Equal(new Uri("http://127.0.0.1:8080/v1/token"), google.TokenUrl);
        Assert.Equal(TimeSpan.FromMinutes(2), google.Cache!.ClockSkew);
        Assert.Equal(0.1, google.Cache.JitterRatio);
        Assert.Equal(AwsCredentialSourceKind.WebIdentity, aws.Source);
        Assert.Equal("eu-west-1", aws.Region);
        Assert.Equal("arn:aws:iam::111111111111:role/ci-account-iam-role", aws.WebIdentity.RoleArn);
        CrossCloudAuth.Aws.AssumeRoleCredentialSourceOptions hop = Assert.Single(aws.RoleChain);
        Assert.Equal("arn:aws:iam::222222222222:role/target-account-iam-role", hop.RoleArn);
        Assert.Equal("xactarget", hop.RoleSessionName);
        Assert.Equal(TimeSpan.FromHours(1), hop.Duration);
    }

    [Fact]
    public void AddGoogleFromAwsIdentity_UnparsableConfigurationValue_FailsValidationNamingTheKey()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Google:TokenLifetime"] = "two hours",
            ["Google:AllowNonStandardEndpoints"] = "maybe",
        }).Build();
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity(configuration.GetSection("Google")));

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GoogleFromAwsIdentityOptions>>().Value);

        Assert.Contains("'Google:TokenLifetime' is 'two hours', which is not a duration such as 00:30:00", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Google:AllowNonStandardEndpoints' is 'maybe', which is not true or false", error.Message, StringComparison.Ordinal);
    }

    private IHost BuildHost(Action<IServiceCollection> configure, FakeSystemEnvironment? environment = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        _world.Register(builder.Services);
        if (environment is not null)
        {
            builder.Services.AddSingleton<ISystemEnvironment>(environment);
        }

        configure(builder.Services);
        return builder.Build();
    }
}
