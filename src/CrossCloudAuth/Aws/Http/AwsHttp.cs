using System.Net;
using System.Text;

namespace CrossCloudAuth.Aws;

/// <summary>The HTTP plumbing shared by the AWS sources: the default client and bounded, timed requests.</summary>
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
            string body = await ReadBoundedAsync(response.Content, maxBytes, linked.Token).ConfigureAwait(false);
            return new AwsHttpResponse(response.StatusCode, body);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No response within {timeout.TotalMilliseconds:0} ms.");
        }
    }

    /// <summary>Reads a body as UTF-8, refusing more than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The body is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<string> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > maxBytes)
        {
            throw new InvalidDataException($"The response body of {declared} bytes exceeds the {maxBytes} bytes accepted.");
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = new byte[Math.Min(maxBytes + 1, 4096)];
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (buffer.Length > maxBytes)
                    {
                        throw new InvalidDataException($"The response body exceeds the {maxBytes} bytes accepted.");
                    }

                    Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
                }

                int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
    }

    /// <summary>Whether a status is worth retrying (server errors and throttling).</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;

    private static HttpClient CreateDefaultClient()
    {
        SocketsHttpHandler handler = new()
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}

/// <summary>A status and a (bounded) body.</summary>
internal readonly record struct AwsHttpResponse(HttpStatusCode StatusCode, string Body)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;
}
