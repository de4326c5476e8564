using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;
using CrossCloudAuth.Tests.TestDoubles;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.DependencyInjection;

/// <summary>
/// Flow F1 through the registration against the project's emulator on loopback, which verifies what it receives:
/// the projected token's signature and audience at STS, the workloadIdentityUser binding at IAM Credentials, and the
/// bearer token at Cloud Storage. The application only calls AddGoogleFromAwsIdentity() and finds the gcloud
/// configuration through GOOGLE_APPLICATION_CREDENTIALS (a fake environment, never the process's).
/// </summary>
public sealed class EmulatorHostTests
{
    private const string ServiceAccount = "reader@demo-project.iam.gserviceaccount.com";
    private const string ConfigPath = "/etc/gcp/credential-configuration.json";
    private const string TokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    [Fact]
    public async Task Host_EnvPointedGcloudConfiguration_ListsBucketThroughTheEmulator()
    {
        // Arrange: the cloud side, as seed 000 sets it up.
        WorkloadIdentityProviderBuilder? provider = null;
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            OidcIssuer eks = b.AddOidcIssuer("eks");
            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool("123456789012", "aws-test");
            provider = pool.AddOidcProvider("test-oidc", eks).AllowAudiences("sts.amazonaws.com");
            b.AddServiceAccount(ServiceAccount).GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci:runner"));
            b.AddBucket("demo-bucket").AddObject("readme.txt", "hello").GrantObjectViewer("serviceAccount:" + ServiceAccount);
        });
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("GOOGLE_APPLICATION_CREDENTIALS", ConfigPath)
            .WithFile(ConfigPath, cloud.CreateCredentialConfiguration(provider!, ServiceAccount, TokenPath))
            .WithFile(TokenPath, cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ISystemEnvironment>(environment);
        builder.Services.AddGoogleFromAwsIdentity(o => o.AllowNonStandardEndpoints = true); // the emulator is http on loopback
        builder.Services.AddHttpClient("gcs", c => c.BaseAddress = cloud.StorageEndpoint)
            .AddHttpMessageHandler<GoogleBearerTokenHandler>();
        using IHost host = builder.Build();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);

        // Act
        string token = await host.Services.GetRequiredService<ICredential>().GetAccessTokenForRequestAsync(cancellationToken: timeout.Token);
        HttpClient gcs = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("gcs");
        using HttpResponseMessage listing = await gcs.GetAsync(new Uri("storage/v1/b/demo-bucket/o", UriKind.Relative), timeout.Token);

        // Assert
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Contains("readme.txt", await listing.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        await host.StopAsync(timeout.Token);
    }
}
