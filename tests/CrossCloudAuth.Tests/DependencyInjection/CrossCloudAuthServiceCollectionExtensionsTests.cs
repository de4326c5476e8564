using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Diagnostics;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.TestDoubles;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.Tests.DependencyInjection;

public sealed class CrossCloudAuthServiceCollectionExtensionsTests
{
    private sealed class ListLoggerProvider : Microsoft.Extensions.Logging.ILoggerProvider
    {
        public ListLogger Logger { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => Logger;

        public void Dispose()
        {
        }
    }

    private readonly DiTestWorld _world = new();

    [Fact]
    public void AddGoogleFromAwsIdentity_NullArguments_Throw()
    {
        // Arrange
        IServiceCollection services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder().Build();

        // Act & Assert
        Assert.Throws<ArgumentNullException>("services", () => CrossCloudAuthServiceCollectionExtensions.AddGoogleFromAwsIdentity(null!));
        Assert.Throws<ArgumentNullException>("services", () => CrossCloudAuthServiceCollectionExtensions.AddGoogleFromAwsIdentity(null!, _ => { }));
        Assert.Throws<ArgumentNullException>("services", () => CrossCloudAuthServiceCollectionExtensions.AddGoogleFromAwsIdentity(null!, configuration));
        Assert.Throws<ArgumentNullException>("configure", () => services.AddGoogleFromAwsIdentity((Action<GoogleFromAwsIdentityOptions>)null!));
        Assert.Throws<ArgumentNullException>("configuration", () => services.AddGoogleFromAwsIdentity((IConfiguration)null!));
        Assert.Throws<ArgumentNullException>("name", () => services.AddGoogleFromAwsIdentity(null!, _ => { }));
        Assert.Throws<ArgumentNullException>("name", () => services.AddGoogleFromAwsIdentity(null!, configuration));
        Assert.Throws<ArgumentNullException>("services", () => CrossCloudAuthServiceCollectionExtensions.AddAwsCredentials(null!));
        Assert.Throws<ArgumentNullException>("configure", () => services.AddAwsCredentials((Action<AwsCredentialsOptions>)null!));
        Assert.Throws<ArgumentNullException>("name", () => services.AddAwsCredentials(null!, configuration));
    }

    [Fact]
    public void AddGoogleFromAwsIdentity_ReturnsSameCollection()
    {
        ServiceCollection services = new();

        Assert.Same(services, services.AddGoogleFromAwsIdentity());
        Assert.Same(services, services.AddGoogleFromAwsIdentity(_ => { }));
        Assert.Same(services, services.AddAwsCredentials());
    }

    [Fact]
    public async Task AddGoogleFromAwsIdentity_IsSelfContained_ResolvesEveryServiceFromAnEmptyContainer()
    {
        // Arrange: nothing but the fakes of the environment (no logging, no options, no HTTP factory registered).
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());

        // Act
        GoogleFederatedCredential credential = provider.GetRequiredService<GoogleFederatedCredential>();
        ICredential apis = provider.GetRequiredService<ICredential>();
        ICredentialProvider<AuthToken> tokens = provider.GetRequiredService<ICredentialProvider<AuthToken>>();
        GoogleBearerTokenHandler handler = provider.GetRequiredService<GoogleBearerTokenHandler>();
        CredentialHealth health = provider.GetRequiredService<CredentialHealth>();

        // Assert
        Assert.Same(credential, tokens);
        Assert.IsType<GoogleApisCredential>(apis);
        Assert.Same(apis, provider.GetRequiredService<GoogleApisCredential>());
        Assert.NotSame(handler, provider.GetRequiredService<GoogleBearerTokenHandler>());
        Assert.Equal("iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)", credential.HopName);
        Assert.Equal(DiTestWorld.AccessToken, await apis.GetAccessTokenForRequestAsync());
        Assert.NotEmpty(health.GetStatuses());
    }

    [Fact]
    public void AddGoogleFromAwsIdentity_ExistingRegistrations_AreKept()
    {
        // Arrange
        GoogleFederatedCredential mine = GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
        {
            Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            SubjectTokenSource = new CrossCloudAuth.Google.FileSubjectTokenSource("/token", SubjectTokenTypes.Jwt, environment: _world.Environment),
        });
        GoogleApisCredential myApis = new(mine);

        // Act
        using ServiceProvider provider = _world.BuildProvider(s =>
        {
            s.AddSingleton(mine);
            s.AddSingleton<ICredential>(myApis);
            s.AddGoogleFromAwsIdentity();
        });

        // Assert
        Assert.Same(mine, provider.GetRequiredService<GoogleFederatedCredential>());
        Assert.Same(myApis, provider.GetRequiredService<ICredential>());
    }

    [Fact]
    public void AddGoogleFromAwsIdentity_CalledTwice_RegistersOnce()
    {
        // Arrange
        ServiceCollection once = new();
        once.AddGoogleFromAwsIdentity();
        ServiceCollection twice = new();
        twice.AddGoogleFromAwsIdentity();

        // Act
        twice.AddGoogleFromAwsIdentity();
        twice.AddGoogleFromAwsIdentity(_ => { });

        // Assert: the second and third calls add only the options configuration, nothing else.
        Assert.Equal(once.Count + 1, twice.Count);
        Assert.Single(twice, d => d.ServiceType == typeof(GoogleFederatedCredential));
        Assert.Single(twice, d => d.ServiceType == typeof(ICredential));
        Assert.Single(twice, d => d.ServiceType == typeof(IValidateOptions<GoogleFromAwsIdentityOptions>));
    }

    [Fact]
    public async Task AddGoogleFromAwsIdentity_NamedIdentities_AreIsolated()
    {
        // Arrange: the default identity from the file, and a second one configured in code with its own scopes.
        using ServiceProvider provider = _world.BuildProvider(s => s
            .AddGoogleFromAwsIdentity()
            .AddGoogleFromAwsIdentity("bigquery", o =>
            {
                o.Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/providers/test-oidc";
                o.SubjectTokenFile = DiTestWorld.TokenPath;
                o.ServiceAccountEmail = "sa01@my-project.iam.gserviceaccount.com";
                o.Scopes.Add("https://www.googleapis.com/auth/bigquery");
                o.QuotaProjectId = "billing-project";
            }));

        // Act
        GoogleFederatedCredential defaultCredential = provider.GetRequiredService<GoogleFederatedCredential>();
        GoogleFederatedCredential named = provider.GetRequiredKeyedService<GoogleFederatedCredential>("bigquery");
        ICredential namedApis = provider.GetRequiredKeyedService<ICredential>("bigquery");
        await namedApis.GetAccessTokenForRequestAsync();

        // Assert
        Assert.NotSame(defaultCredential, named);
        Assert.Equal(["https://www.googleapis.com/auth/cloud-platform"], defaultCredential.Scopes);
        Assert.Equal(["https://www.googleapis.com/auth/bigquery"], named.Scopes);
        Assert.Null(defaultCredential.QuotaProjectId);
        Assert.Equal("billing-project", ((GoogleApisCredential)namedApis).QuotaProjectId);
        Assert.Null(provider.GetKeyedService<GoogleFederatedCredential>("other"));
        Assert.Contains("https://www.googleapis.com/auth/bigquery", Assert.Single(_world.Google.Requests, r => r.Url.EndsWith(":generateAccessToken", StringComparison.Ordinal)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGoogleFromAwsIdentity_IdTokenProvider_GetsIdTokenForAudience()
    {
        using ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        GoogleIdTokenCredential idTokens = new(provider.GetRequiredService<GoogleFederatedCredential>(), "https://run.example");

        AuthToken token = await idTokens.GetAsync();

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.Zero), token.ExpiresOn);
        Assert.Contains("https://run.example", Assert.Single(_world.Google.RequestsTo(CrossCloudAuth.Tests.Google.FakeGoogleEndpoints.IdTokenUrl)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGoogleFromAwsIdentity_LoggerFactoryRegistered_LogsTheIdentityAndEveryHopWithoutSecrets()
    {
        // Arrange
        ListLoggerProvider logs = new();
        using ServiceProvider provider = _world.BuildProvider(s => s
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(new Microsoft.Extensions.Logging.LoggerFactory([logs]))
            .AddGoogleFromAwsIdentity());

        // Act
        await provider.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync();

        // Assert
        string all = string.Join("\n", logs.Logger.Messages.Select(m => m.Text));
        Assert.Contains("CrossCloudAuth (default identity): Google credential from file /etc/gcp/credential-configuration.json", all, StringComparison.Ordinal);
        Assert.Contains("Refreshed the credential of google-sts:token-exchange", all, StringComparison.Ordinal);
        Assert.Contains("Refreshed the credential of iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)", all, StringComparison.Ordinal);
        Assert.DoesNotContain(DiTestWorld.AccessToken, all, StringComparison.Ordinal);
        Assert.DoesNotContain(DiTestWorld.ProjectedToken, all, StringComparison.Ordinal);
        Assert.DoesNotContain("federated-TOKEN", all, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAwsCredentials_ExistingRegistrationKeptAndRepeatCallsHarmless()
    {
        Amazon.Runtime.AWSCredentials mine = new Amazon.Runtime.BasicAWSCredentials("AKIAMINE", "secret");
        ServiceCollection services = new();
        services.AddSingleton(mine);

        services.AddAwsCredentials().AddAwsCredentials().AddEksToken("c").AddEksToken("c");

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(mine, provider.GetRequiredService<Amazon.Runtime.AWSCredentials>());
        Assert.Single(services, d => d.ServiceType == typeof(ICredentialProvider<AwsCredentials>));
        Assert.Single(services, d => d.IsKeyedService && Equals(d.ServiceKey, "c"));
    }

    [Fact]
    public void Dispose_Container_DisposesTheCredentials()
    {
        ServiceProvider provider = _world.BuildProvider(s => s.AddGoogleFromAwsIdentity());
        GoogleFederatedCredential credential = provider.GetRequiredService<GoogleFederatedCredential>();

        provider.Dispose();

        Assert.Throws<ObjectDisposedException>(() => credential.GetAccessTokenAsync(["https://www.googleapis.com/auth/devstorage.read_only"]));
    }
}
