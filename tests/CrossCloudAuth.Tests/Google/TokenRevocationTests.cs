using System.Net;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;
using CrossCloudAuth.Tests.TestDoubles;
using Google.Apis.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Google;

/// <summary>
/// A token revoked at Google before it expires (the emulator forgets it, as Google does when a token is revoked or its
/// service account disabled): the next request gets a 401, and the credential drops the token, impersonates again and
/// retries once, through both adapters. Emulator and credential share one fake clock, so a token's age is controlled.
/// </summary>
public sealed class TokenRevocationTests : IAsyncLifetime
{
    private const string ServiceAccount = "reader@demo-project.iam.gserviceaccount.com";
    private const string ConfigPath = "/etc/gcp/credential-configuration.json";
    private const string TokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    private const string ListPath = "storage/v1/b/demo-bucket/o";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private CloudEmulator _cloud = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        WorkloadIdentityProviderBuilder? provider = null;
        _cloud = await CloudEmulator.StartAsync(b =>
        {
            b.UseTimeProvider(_time);
            OidcIssuer eks = b.AddOidcIssuer("eks");
            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool("123456789012", "aws-test");
            provider = pool.AddOidcProvider("test-oidc", eks).AllowAudiences("sts.amazonaws.com");
            b.AddServiceAccount(ServiceAccount).GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci:runner"));
            b.AddBucket("demo-bucket").AddObject("readme.txt", "hello").GrantObjectViewer("serviceAccount:" + ServiceAccount);
        });
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("GOOGLE_APPLICATION_CREDENTIALS", ConfigPath)
            .WithFile(ConfigPath, _cloud.CreateCredentialConfiguration(provider!, ServiceAccount, TokenPath))
            .WithFile(TokenPath, _cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ISystemEnvironment>(environment);
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddGoogleFromAwsIdentity(o =>
        {
            o.AllowNonStandardEndpoints = true;

            // The tests count upstream calls across a five-minute jump: a first refresh spread into those minutes
            // would add a background STS call at a random moment.
            o.Cache = new RefreshAheadCacheOptions { SpreadFirstRefresh = false };
        });
        builder.Services.AddHttpClient("gcs", c => c.BaseAddress = _cloud.StorageEndpoint).AddHttpMessageHandler<GoogleBearerTokenHandler>();
        _host = builder.Build();
        await _host.StartAsync(_timeout.Token);
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await _cloud.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task BearerHandler_TokenRevoked_DropsItImpersonatesAgainAndRetriesOnce()
    {
        HttpClient gcs = _host.Services.GetRequiredService<System.Net.Http.IHttpClientFactory>().CreateClient("gcs");
        using (HttpResponseMessage first = await gcs.GetAsync(new Uri(ListPath, UriKind.Relative), _timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _cloud.RevokeGoogleAccessTokens(ServiceAccount));
        int stsBefore = Count(EmulatedService.GoogleSts);
        int iamBefore = Count(EmulatedService.IamCredentials);
        int storageBefore = Count(EmulatedService.Storage);

        using HttpResponseMessage afterRevocation = await gcs.GetAsync(new Uri(ListPath, UriKind.Relative), _timeout.Token);

        Assert.Equal(HttpStatusCode.OK, afterRevocation.StatusCode);
        Assert.Equal(2, Count(EmulatedService.Storage) - storageBefore);          // the 401, then the retry
        Assert.Equal(1, Count(EmulatedService.IamCredentials) - iamBefore);       // one new impersonated token
        Assert.Equal(0, Count(EmulatedService.GoogleSts) - stsBefore);            // the federated token is still valid
    }

    [Fact]
    public async Task GoogleApisCredential_TokenRevoked_GoogleClientRetriesWithANewToken()
    {
        GoogleApisCredential credential = _host.Services.GetRequiredService<GoogleApisCredential>();
        CreateHttpClientArgs args = new() { ApplicationName = "revocation-test" };
        args.Initializers.Add(credential);
        using ConfigurableHttpClient client = new HttpClientFactory().CreateHttpClient(args);
        Uri list = new(_cloud.StorageEndpoint, ListPath);
        string revoked = await credential.GetAccessTokenForRequestAsync(cancellationToken: _timeout.Token);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(_cloud.RevokeGoogleAccessToken(revoked));
        int iamBefore = Count(EmulatedService.IamCredentials);

        using HttpResponseMessage response = await client.GetAsync(list, _timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(revoked, await credential.GetAccessTokenForRequestAsync(cancellationToken: _timeout.Token));
        Assert.Equal(1, Count(EmulatedService.IamCredentials) - iamBefore);
    }

    [Fact]
    public async Task BearerHandler_EveryNewTokenRevokedAtOnce_ReturnsThe401WithoutALoop()
    {
        HttpClient gcs = _host.Services.GetRequiredService<System.Net.Http.IHttpClientFactory>().CreateClient("gcs");
        GoogleFederatedCredential credential = _host.Services.GetRequiredService<GoogleFederatedCredential>();
        await credential.GetAsync(_timeout.Token);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _cloud.RevokeGoogleAccessTokens(ServiceAccount));

        // The old token is dropped and the retry gets a new one...
        using (HttpResponseMessage first = await gcs.GetAsync(new Uri(ListPath, UriKind.Relative), _timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // ...which Google revokes at once: from now on it rejects every token this credential holds.
        Assert.Equal(1, _cloud.RevokeGoogleAccessTokens(ServiceAccount));
        int iamBefore = Count(EmulatedService.IamCredentials);
        int storageBefore = Count(EmulatedService.Storage);
        HttpStatusCode[] statuses = new HttpStatusCode[20];
        for (int i = 0; i < statuses.Length; i++)
        {
            using HttpResponseMessage response = await gcs.GetAsync(new Uri(ListPath, UriKind.Relative), _timeout.Token);
            statuses[i] = response.StatusCode;
        }

        // The token was fetched seconds ago: it is not dropped, each request is sent once and gets its 401.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(0, Count(EmulatedService.IamCredentials) - iamBefore);
        Assert.Equal(statuses.Length, Count(EmulatedService.Storage) - storageBefore);
    }

    private int Count(EmulatedService service) => _cloud.Requests.Count(r => r.Service == service);
}
