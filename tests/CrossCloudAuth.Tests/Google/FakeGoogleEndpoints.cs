using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace CrossCloudAuth.Tests.Google;

/// <summary>
/// A scripted HTTP handler standing in for Google STS, IAM Credentials, metadata and any other endpoint: each route
/// matches on method and URL prefix and answers with a canned or computed response; every request is recorded with
/// its body and headers for the test to assert on.
/// </summary>
internal sealed class FakeGoogleEndpoints : HttpMessageHandler
{
    public const string StsUrl = "https://sts.googleapis.com/v1/token";
    public const string ServiceAccount = "sa01@my-project.iam.gserviceaccount.com";
    public const string ImpersonationUrl = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/" + ServiceAccount + ":generateAccessToken";
    public const string IdTokenUrl = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/" + ServiceAccount + ":generateIdToken";

    private readonly List<(HttpMethod Method, string Prefix, Func<RecordedRequest, HttpResponseMessage> Respond)> _routes = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public IEnumerable<RecordedRequest> RequestsTo(string prefix) => Requests.Where(r => r.Url.StartsWith(prefix, StringComparison.Ordinal));

    public FakeGoogleEndpoints On(HttpMethod method, string urlPrefix, Func<RecordedRequest, HttpResponseMessage> respond)
    {
        lock (_routes)
        {
            _routes.Insert(0, (method, urlPrefix, respond));
        }

        return this;
    }

    public FakeGoogleEndpoints OnSts(Func<RecordedRequest, HttpResponseMessage> respond) => On(HttpMethod.Post, StsUrl, respond);

    public FakeGoogleEndpoints OnGenerateAccessToken(Func<RecordedRequest, HttpResponseMessage> respond) => On(HttpMethod.Post, ImpersonationUrl, respond);

    public FakeGoogleEndpoints OnGenerateIdToken(Func<RecordedRequest, HttpResponseMessage> respond) => On(HttpMethod.Post, IdTokenUrl, respond);

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Text(string text, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    public static HttpResponseMessage StsToken(string token, int expiresIn = 3600) =>
        Json($$"""{"access_token":"{{token}}","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":{{expiresIn}}}""");

    public static HttpResponseMessage IamToken(string token, string expireTime) =>
        Json($$"""{"accessToken":"{{token}}","expireTime":"{{expireTime}}"}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        if (request.Content is not null)
        {
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
        }

        RecordedRequest recorded = new(request.Method, request.RequestUri!.AbsoluteUri, headers, body);
        _requests.Enqueue(recorded);
        Func<RecordedRequest, HttpResponseMessage>? respond;
        lock (_routes)
        {
            respond = _routes.FirstOrDefault(r => r.Method == request.Method && recorded.Url.StartsWith(r.Prefix, StringComparison.Ordinal)).Respond;
        }

        HttpResponseMessage response = respond?.Invoke(recorded) ?? Text($"no route for {request.Method} {recorded.Url}", HttpStatusCode.NotFound);
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>A request as the fake received it.</summary>
internal sealed record RecordedRequest(HttpMethod Method, string Url, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public IReadOnlyDictionary<string, string> Form =>
        Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : string.Empty));

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}
