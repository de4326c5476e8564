using System.Net;
using CrossCloudAuth.Google;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Google.SubjectTokens;

public sealed class UrlSubjectTokenSourceTests
{
    private static readonly Uri s_url = new("http://169.254.169.254/metadata/identity/oauth2/token?resource=api://x");

    [Fact]
    public async Task GetSubjectTokenAsync_JsonResponse_SendsHeadersAndReturnsTheField()
    {
        FakeGoogleEndpoints fake = new FakeGoogleEndpoints().On(HttpMethod.Get, "http://169.254.169.254/metadata/", _ => FakeGoogleEndpoints.Json("""{"access_token":"azure-token"}"""));
        using HttpClient http = new(fake);
        UrlSubjectTokenSource source = new(http, s_url, SubjectTokenTypes.Jwt, new Dictionary<string, string> { ["Metadata"] = "True" }, SubjectTokenFormat.Json("access_token"), new FakeTimeProvider(), null);

        Assert.Equal("azure-token", await source.GetSubjectTokenAsync());
        RecordedRequest request = Assert.Single(fake.Requests);
        Assert.Equal("True", request.Header("Metadata"));
        Assert.Equal("url:http://169.254.169.254/metadata/identity/oauth2/token", source.HopName);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_EveryCall_FetchesAgain()
    {
        int calls = 0;
        FakeGoogleEndpoints fake = new FakeGoogleEndpoints().On(HttpMethod.Get, "http://169.254.169.254/", _ => FakeGoogleEndpoints.Text($"token-{++calls}"));
        using HttpClient http = new(fake);
        UrlSubjectTokenSource source = new(http, s_url, SubjectTokenTypes.Jwt, null, null, null, null);

        Assert.Equal("token-1", await source.GetSubjectTokenAsync());
        Assert.Equal("token-2", await source.GetSubjectTokenAsync());
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    public async Task GetSubjectTokenAsync_ErrorStatus_ThrowsWithTransience(HttpStatusCode status, bool transient)
    {
        FakeGoogleEndpoints fake = new FakeGoogleEndpoints().On(HttpMethod.Get, "http://169.254.169.254/", _ => FakeGoogleEndpoints.Text("secret-ish body", status));
        using HttpClient http = new(fake);
        UrlSubjectTokenSource source = new(http, s_url, SubjectTokenTypes.Jwt, null, null, null, null);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.DoesNotContain("secret-ish", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("resource=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_HugeResponse_Throws()
    {
        FakeGoogleEndpoints fake = new FakeGoogleEndpoints().On(HttpMethod.Get, "http://169.254.169.254/", _ => FakeGoogleEndpoints.Text(new string('a', 2 * 1024 * 1024)));
        using HttpClient http = new(fake);
        UrlSubjectTokenSource source = new(http, s_url, SubjectTokenTypes.Jwt, null, null, null, null);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_NoAnswerBeforeDeadline_ThrowsTransientTimeout()
    {
        FakeTimeProvider time = new();
        TaskCompletionSource<HttpResponseMessage> never = new();
        using HttpClient http = new(new StallingHandler());
        UrlSubjectTokenSource source = new(http, s_url, SubjectTokenTypes.Jwt, null, null, time, TimeSpan.FromSeconds(10));

        Task<string> pending = source.GetSubjectTokenAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(11));
        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => pending);

        Assert.True(error.IsTransient);
        Assert.Contains("within 10 s", error.Message, StringComparison.Ordinal);
    }

    private sealed class StallingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
