using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>
/// A scripted <see cref="HttpMessageHandler"/>: each request is answered by the first responder whose method and path
/// match (a queue per route, the last response repeating), and every request is recorded with its body.
/// </summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly List<Route> _routes = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Adds responses for requests whose method matches and whose path (and query, when given) starts with
    /// <paramref name="pathPrefix"/>. Responses are used in order; the last one repeats.</summary>
    public FakeHttpHandler On(HttpMethod method, string pathPrefix, params Func<HttpRequestMessage, Task<HttpResponseMessage>>[] responses)
    {
        lock (_routes)
        {
            _routes.Add(new Route(method, pathPrefix, new Queue<Func<HttpRequestMessage, Task<HttpResponseMessage>>>(responses)));
        }

        return this;
    }

    public FakeHttpHandler On(HttpMethod method, string pathPrefix, params HttpStatusCode[] statuses) =>
        On(method, pathPrefix, statuses.Select(s => Respond(s, "")).ToArray());

    public FakeHttpHandler On(HttpMethod method, string pathPrefix, HttpStatusCode status, string body, string contentType = "text/plain") =>
        On(method, pathPrefix, Respond(status, body, contentType));

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Respond(HttpStatusCode status, string body, string contentType = "text/plain") =>
        _ => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) });

    /// <summary>A response that never completes until the request is canceled (a host that does not answer).</summary>
    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Hang(TaskCompletionSource? started = null) =>
        async request =>
        {
            started?.TrySetResult();
            await Task.Delay(Timeout.Infinite, request.Options.TryGetValue(CancellationKey, out CancellationToken token) ? token : default);
            throw new InvalidOperationException("unreachable");
        };

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Fail(Exception error) => _ => Task.FromException<HttpResponseMessage>(error);

    internal static readonly HttpRequestOptionsKey<CancellationToken> CancellationKey = new("test-cancellation");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            body));
        request.Options.Set(CancellationKey, cancellationToken);

        Func<HttpRequestMessage, Task<HttpResponseMessage>>? responder = null;
        lock (_routes)
        {
            string pathAndQuery = request.RequestUri!.PathAndQuery;
            foreach (Route route in _routes)
            {
                if (route.Method == request.Method && pathAndQuery.StartsWith(route.PathPrefix, StringComparison.Ordinal))
                {
                    responder = route.Responses.Count > 1 ? route.Responses.Dequeue() : route.Responses.Peek();
                    break;
                }
            }
        }

        if (responder is null)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent($"no route for {request.Method} {request.RequestUri}") };
        }

        HttpResponseMessage response = await responder(request);
        response.RequestMessage = request;
        return response;
    }

    private sealed record Route(HttpMethod Method, string PathPrefix, Queue<Func<HttpRequestMessage, Task<HttpResponseMessage>>> Responses);
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body);
