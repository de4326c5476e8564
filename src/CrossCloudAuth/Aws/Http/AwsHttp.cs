using System.Net;
using System.Text;
using CrossCloudAuth.Http;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>The HTTP plumbing shared by the AWS sources: the default client and bounded, timed requests. Unlike
/// <see cref="HopHttp"/>, transport failures surface as <see cref="TimeoutException"/> / <see cref="HttpRequestException"/>,
/// because the metadata sources retry them and report "not on EC2" rather than an upstream rejection.</summary>
internal static class AwsHttp
{
    private static readonly Lazy<HttpClient> s_default = new(CreateDefaultClient);

    /// <summary>Gets the client used when the options supply none. It never uses a proxy (instance metadata and
    /// container endpoints are link-local and must not be proxied) and applies no timeout of its own: every request
    /// is bounded by the caller's <see cref="TimeProvider"/>-driven timeout.</summary>
    public static HttpClient DefaultClient => s_default.Value;

    /// <summary>Sends a request bounded by <paramref name="timeout"/> and reads at most <paramref name="maxBytes"/> of
    /// its body.</summary>
    /// <exception cref="TimeoutException">No complete response within the timeout.</exception>
    /// <exception cref="HttpRequestException">The connection failed.</exception>
    /// <exception cref="InvalidDataException">The body is larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<AwsHttpResponse> SendAsync(
        HttpClient client,
        HttpRequestMessage request,
        TimeSpan timeout,
        int maxBytes,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        using CancellationTokenSource deadline = new(timeout, timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using HttpResponseMessage response = await client
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token)
                .ConfigureAwait(false);
            byte[] body = await HopHttp.ReadBoundedAsync(response.Content, maxBytes, linked.Token).ConfigureAwait(false);
            return new AwsHttpResponse(response.StatusCode, Encoding.UTF8.GetString(body), HopHttp.RetryAfter(response, timeProvider));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No response within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (IOException error)
        {
            // The connection broke while the body was read: a transport failure like any other, for the callers' retry.
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response broke off before its end.", error);
        }
    }

    /// <summary>Builds the retry pipeline of a metadata hop (instance metadata, container endpoint): it retries
    /// connection failures, missed deadlines, 408, 429 and 5xx, honouring <c>Retry-After</c>; never another status or
    /// an oversized body.</summary>
    public static HopRetry<AwsHttpResponse> CreateRetry(HopRetryOptions options, TimeProvider timeProvider, ILogger? logger) =>
        new HopRetry<AwsHttpResponse>(
            options,
            timeProvider,
            static outcome => outcome.Exception is TimeoutException or HttpRequestException
                || (outcome.Exception is null && !outcome.Result.IsSuccess && HopHttp.IsTransient(outcome.Result.StatusCode)),
            static r => r.RetryAfter,
            static r => $"HTTP {(int)r.StatusCode}",
            logger);

    private static HttpClient CreateDefaultClient()
    {
        SocketsHttpHandler handler = new()
        {
            UseProxy = false,

            // Metadata and container endpoints never redirect; following one would send the request (and the
            // container authorization token) to a host nobody checked.
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}

/// <summary>A status, a (bounded) body and the server's <c>Retry-After</c>, if any.</summary>
internal readonly record struct AwsHttpResponse(HttpStatusCode StatusCode, string Body, TimeSpan? RetryAfter = null)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    /// <summary>Describes the response without its body (which may hold credentials).</summary>
    public override string ToString() => $"AwsHttpResponse {{ StatusCode = {(int)StatusCode} }}";
}
