using System.Net;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Http;
using CrossCloudAuth.Tests.Caching;
using CrossCloudAuth.Tests.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Http;

public sealed class GoogleBearerTokenHandlerRetryTests : IDisposable
{
    private const string Url = "https://storage.googleapis.com/upload/storage/v1/b/b/o";

    private readonly FakeTimeProvider _time = new(CacheTest.Start);
    private readonly GatedCredentialSource _source;
    private readonly RefreshAheadCache<AuthToken> _cache;

    // The service accepts token-2 only, as after token-1 was revoked.
    private readonly FakeGoogleEndpoints _api = new FakeGoogleEndpoints()
        .On(HttpMethod.Post, Url, r => r.Header("Authorization") == "Bearer token-2"
            ? FakeGoogleEndpoints.Json("{}")
            : FakeGoogleEndpoints.Json("""{"error":{"code":401}}""", HttpStatusCode.Unauthorized));

    public GoogleBearerTokenHandlerRetryTests()
    {
        _source = new GatedCredentialSource(_time, TimeSpan.FromHours(1));
        _cache = CacheTest.Create(_source, _time);
    }

    public void Dispose() => _cache.Dispose();

    public static TheoryData<string> ReplayableBodies => ["none", "bytes", "string", "form", "memory", "multipart"];

    [Theory]
    [MemberData(nameof(ReplayableBodies))]
    public async Task SendAsync_401WithReplayableBody_RetriesOnceWithANewToken(string body)
    {
        using HttpClient client = await ClientWithAgedTokenAsync();
        using HttpRequestMessage request = new(HttpMethod.Post, Url) { Content = Body(body) };

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], _api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(2, _source.Calls);
        if (body != "none")
        {
            Assert.Equal(_api.Requests[0].Body, _api.Requests[1].Body);
        }
    }

    [Fact]
    public async Task SendAsync_401WithStreamedBody_ReturnsThe401AndKeepsTheToken()
    {
        using HttpClient client = await ClientWithAgedTokenAsync();
        using HttpRequestMessage request = new(HttpMethod.Post, Url) { Content = new StreamContent(new MemoryStream([1, 2, 3])) };

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_api.Requests);
        Assert.Equal(1, _source.Calls);
    }

    [Fact]
    public async Task SendAsync_401ForATokenJustFetched_ReturnsThe401WithoutRefreshing()
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(_cache) { InnerHandler = _api });
        await _cache.GetAsync();

        using HttpResponseMessage response = await client.PostAsync(Url, content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_api.Requests);
        Assert.Equal(1, _source.Calls);
    }

    [Fact]
    public async Task SendAsync_SourceCannotInvalidate_ReturnsThe401()
    {
        using HttpClient client = new(new GoogleBearerTokenHandler(new DelegateCredentialSource<AuthToken>((_, ct) => _source.GetAsync(ct))) { InnerHandler = _api });

        using HttpResponseMessage response = await client.PostAsync(Url, content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_api.Requests);
    }

    [Fact]
    public void IsReplayable_MultipartWithAStreamedPart_IsFalse()
    {
        using MultipartContent content = new() { new StringContent("a"), new StreamContent(Stream.Null) };

        Assert.False(GoogleBearerTokenHandler.IsReplayable(content));
    }

    private static HttpContent? Body(string kind) => kind switch
    {
        "bytes" => new ByteArrayContent([1, 2, 3]),
        "string" => new StringContent("""{"name":"x"}"""),
        "form" => new FormUrlEncodedContent([new("a", "b")]),
        "memory" => new ReadOnlyMemoryContent(new byte[] { 4, 5 }),
        "multipart" => new MultipartContent { new StringContent("part") },
        _ => null,
    };

    private async Task<HttpClient> ClientWithAgedTokenAsync()
    {
        await _cache.GetAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        return new HttpClient(new GoogleBearerTokenHandler(_cache) { InnerHandler = _api });
    }
}
