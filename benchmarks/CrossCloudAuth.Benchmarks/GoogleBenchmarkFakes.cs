using System.Net;
using System.Text;
using CrossCloudAuth.Google;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// In-process stand-ins for Google STS and IAM Credentials shared by the Google benchmarks: canned responses, no
/// sockets, so the numbers measure the client libraries, not the network.
/// </summary>
internal sealed class FakeGoogleHandler : HttpMessageHandler
{
    public const string TokenUrl = "https://sts.googleapis.com/v1/token";
    public const string ImpersonationUrl = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/bench@my-project.iam.gserviceaccount.com:generateAccessToken";
    public const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/oidc";

    private static readonly byte[] s_stsBody = Encoding.UTF8.GetBytes("""{"access_token":"fake.federated-benchmark-token","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":43200}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Read the body as a real server would.
        if (request.Content is not null)
        {
            _ = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        byte[] body = request.RequestUri!.AbsoluteUri == TokenUrl
            ? s_stsBody
            : Encoding.UTF8.GetBytes($$"""{"accessToken":"fake.impersonated-benchmark-token","expireTime":"{{DateTimeOffset.UtcNow.AddHours(12):yyyy-MM-dd'T'HH:mm:ss.ffffff}}Z"}""");
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
            RequestMessage = request,
        };
    }
}

/// <summary>Google.Apis.Auth's HTTP clients, sending through <see cref="FakeGoogleHandler"/>.</summary>
internal sealed class FakeGoogleHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new NonDisposing(handler);

    private sealed class NonDisposing(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
        }
    }
}

/// <summary>A constant subject token, for both libraries.</summary>
internal sealed class ConstantSubjectToken : ISubjectTokenSource, ProgrammaticExternalAccountCredential.ISubjectTokenProvider
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.c2ln";

    public string HopName => "bench:subject";

    public string SubjectTokenType => SubjectTokenTypes.Jwt;

    public ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Token);

    public Task<string> GetSubjectTokenAsync(ProgrammaticExternalAccountCredential caller, CancellationToken taskCancellationToken) => Task.FromResult(Token);
}

internal static class GoogleBenchmarkSetup
{
    public static GoogleFederatedCredential Ours(HttpClient httpClient) => GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
    {
        Audience = FakeGoogleHandler.Audience,
        SubjectTokenSource = new ConstantSubjectToken(),
        ServiceAccountImpersonationUrl = new Uri(FakeGoogleHandler.ImpersonationUrl),
        QuotaProjectId = "bench-project",
        HttpClient = httpClient,
    });

    public static ProgrammaticExternalAccountCredential Googles(HttpMessageHandler handler) => new(
        new ProgrammaticExternalAccountCredential.Initializer(FakeGoogleHandler.TokenUrl, FakeGoogleHandler.Audience, SubjectTokenTypes.Jwt, new ConstantSubjectToken())
        {
            ServiceAccountImpersonationUrl = FakeGoogleHandler.ImpersonationUrl,
            QuotaProject = "bench-project",
            Scopes = ["https://www.googleapis.com/auth/cloud-platform"],
            HttpClientFactory = new FakeGoogleHttpClientFactory(handler),
        });
}
