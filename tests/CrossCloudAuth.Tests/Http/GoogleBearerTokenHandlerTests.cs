using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.Google;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Http;

public sealed class GoogleBearerTokenHandlerTests
{
    private readonly FakeGoogleEndpoints _api = new FakeGoogleEndpoints()
        .On(HttpMethod.Get, "https://bigquery.googleapis.com/", _ => FakeGoogleEndpoints.Json("{}"))
        .On(HttpMethod.Get, "http://127.0.0.1:9050/", _ => FakeGoogleEndpoints.Json("{}"))
        .On(HttpMethod.Get, "http://[::1]:9050/", _ => FakeGoogleEndpoints.Json("{}"));

    private readonly StaticTokens _tokens = new(new AuthToken("ya29.secret-token", DateTimeOffset.MaxValue));

    [Fact]
    public async Task SendAsync_Https_AddsBearerAndQuotaProject()
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(_tokens, new GoogleBearerTokenHandlerOptions { QuotaProjectId = "billing" }) { InnerHandler = _api });

        using HttpResponseMessage response = await client.GetAsync("https://bigquery.googleapis.com/bigquery/v2/projects/p/queries");

        RecordedRequest sent = Assert.Single(_api.Requests);
        Assert.Equal("Bearer ya29.secret-token", sent.Header("Authorization"));
        Assert.Equal("billing", sent.Header("x-goog-user-project"));
    }

    [Fact]
    public async Task SendAsync_CallerSetQuotaHeader_IsKept()
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(_tokens, new GoogleBearerTokenHandlerOptions { QuotaProjectId = "billing" }) { InnerHandler = _api });
        using HttpRequestMessage request = new(HttpMethod.Get, "https://bigquery.googleapis.com/x");
        request.Headers.Add("x-goog-user-project", "other");

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("other", Assert.Single(_api.Requests).Header("x-goog-user-project"));
    }

    [Theory]
    [InlineData("http://bigquery.googleapis.com/x", false)]
    [InlineData("http://127.0.0.1:9050/x", false)]
    [InlineData("http://10.0.0.5/x", true)]
    public async Task SendAsync_PlainHttp_RefusesWithoutSendingTheToken(string url, bool allowLoopback)
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(_tokens, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = allowLoopback }) { InnerHandler = _api });

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => client.GetAsync(url));

        Assert.Contains("Refusing to send a Google access token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
        Assert.Equal(0, _tokens.Calls);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9050/x")]
    [InlineData("http://[::1]:9050/x")]
    public async Task SendAsync_HttpToLoopbackWhenAllowed_SendsTheToken(string url)
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(_tokens, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = true }) { InnerHandler = _api });

        using HttpResponseMessage response = await client.GetAsync(url);

        Assert.Equal("Bearer ya29.secret-token", Assert.Single(_api.Requests).Header("Authorization"));
    }

    private sealed class StaticTokens(AuthToken token) : ICredentialProvider<AuthToken>
    {
        private int _calls;

        public int Calls => _calls;

        public string HopName => "test:static";

        public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(token);
        }
    }
}
