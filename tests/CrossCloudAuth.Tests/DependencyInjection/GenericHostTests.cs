using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.Google;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.DependencyInjection;

/// <summary>A worker-style application that only calls AddGoogleFromAwsIdentity() and finds its identity through
/// GOOGLE_APPLICATION_CREDENTIALS, as a pod with a gcloud configuration mounted would.</summary>
public sealed class GenericHostTests
{
    private readonly DiTestWorld _world = new();

    [Fact]
    public async Task Host_ZeroConfigurationWithEnvPointedGcloudFile_GetsTokenThroughEveryHop()
    {
        // Arrange
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ISystemEnvironment>(_world.Environment);
        builder.Services.AddSingleton<TimeProvider>(_world.Time);
        builder.Services.AddGoogleFromAwsIdentity();
        builder.Services.Configure<CrossCloudAuth.DependencyInjection.GoogleFromAwsIdentityOptions>(o => o.HttpClient = new HttpClient(_world.Google, disposeHandler: false));
        using IHost host = builder.Build();
        await host.StartAsync();

        // Act
        ICredential credential = host.Services.GetRequiredService<ICredential>();
        string token = await credential.GetAccessTokenForRequestAsync();

        // Assert: the projected token went to STS, the federated token to IAM Credentials.
        Assert.Equal(DiTestWorld.AccessToken, token);
        RecordedRequest sts = Assert.Single(_world.Google.RequestsTo(FakeGoogleEndpoints.StsUrl));
        Assert.Equal(DiTestWorld.ProjectedToken, sts.Form["subject_token"]);
        Assert.Equal("https://www.googleapis.com/auth/cloud-platform", sts.Form["scope"]);
        RecordedRequest iam = Assert.Single(_world.Google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl));
        Assert.Equal("Bearer federated-TOKEN", iam.Header("Authorization"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_HttpClientWithRegisteredHandler_SendsBearerTokenToGoogleApi()
    {
        // Arrange
        FakeGoogleEndpoints storage = new FakeGoogleEndpoints().On(HttpMethod.Get, "https://storage.googleapis.com/", _ => FakeGoogleEndpoints.Json("""{"items":[]}"""));
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        _world.Register(builder.Services);
        builder.Services.AddGoogleFromAwsIdentity(o => o.QuotaProjectId = "billing-project");
        builder.Services.AddHttpClient("gcs", c => c.BaseAddress = new Uri("https://storage.googleapis.com/"))
            .AddHttpMessageHandler<GoogleBearerTokenHandler>()
            .ConfigurePrimaryHttpMessageHandler(() => storage);
        using IHost host = builder.Build();
        await host.StartAsync();

        // Act
        HttpClient client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("gcs");
        using HttpResponseMessage response = await client.GetAsync(new Uri("storage/v1/b/my-bucket/o", UriKind.Relative));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        RecordedRequest request = Assert.Single(storage.Requests);
        Assert.Equal("Bearer " + DiTestWorld.AccessToken, request.Header("Authorization"));
        Assert.Equal("billing-project", request.Header("x-goog-user-project"));
        await host.StopAsync();
    }
}
