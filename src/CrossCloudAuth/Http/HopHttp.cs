using System.Net;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Http;

/// <summary>
/// Sends one request of a credential hop with a deadline from the injected <see cref="TimeProvider"/> and reads
/// its body with a size cap, turning transport failures into the library's exceptions.
/// </summary>
internal static class HopHttp
{
    private static readonly Lazy<HttpClient> s_shared = new(CreateClient);

    /// <summary>Gets the process-wide client of hops given none: no redirects (a redirect could carry a request to a
    /// host no check saw), connections recycled every 5 minutes (DNS changes), no client timeout (each hop has its own
    /// deadline). Never disposed.</summary>
    public static HttpClient SharedClient => s_shared.Value;

    /// <summary>Creates a client configured as <see cref="SharedClient"/>, for a hop that owns (and disposes) its own.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>Sends a request and reads the whole response body, at most <paramref name="maxResponseBytes"/> bytes.</summary>
    /// <exception cref="CredentialRequestFailedException">The request failed in transport, broke off while its body was read, timed out, or the body was too large (transient except for the size).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<HopResponse> SendAsync(
        HttpClient httpClient,
        HttpRequestMessage request,
        string hopName,
        TimeProvider timeProvider,
        TimeSpan timeout,
        int maxResponseBytes,
        CancellationToken cancellationToken)
    {
        using CancellationTokenSource deadline = new(timeout, timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using HttpResponseMessage response = await httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token)
                .ConfigureAwait(false);
            byte[] body = await ReadBoundedAsync(response.Content, maxResponseBytes, linked.Token).ConfigureAwait(false);
            TimeSpan? retryAfter = RetryAfter(response, timeProvider);
            return new HopResponse(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, retryAfter);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException error) when (deadline.IsCancellationRequested)
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"No answer from {Describe(request)} within {timeout.TotalSeconds:0.#} s. Check network access to the endpoint (proxy, firewall, VPC endpoints); the request may be retried.",
                isTransient: true,
                innerException: error);
        }
        catch (HttpRequestException error)
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"The request to {Describe(request)} failed before a response arrived ({error.HttpRequestError}): {error.Message} Check DNS, proxy and network access to the endpoint; the request may be retried.",
                statusCode: error.StatusCode,
                isTransient: true,
                innerException: error);
        }
        catch (IOException error)
        {
            // The connection broke while the body was being read (reset, or closed before Content-Length bytes).
            throw new CredentialRequestFailedException(
                hopName,
                $"The response from {Describe(request)} broke off before its end ({error.GetType().Name}). Check proxies and load balancers between here and the endpoint; the request may be retried.",
                isTransient: true,
                innerException: error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"The response from {Describe(request)} is larger than the {maxResponseBytes} bytes accepted; the endpoint is probably not the expected service.",
                innerException: error);
        }
    }

    /// <summary>Builds the retry pipeline of a Google hop (STS, IAM Credentials): it retries transport failures, missed
    /// deadlines, 408, 429 and 5xx, honouring <c>Retry-After</c>; never a definitive 4xx or an oversized body.</summary>
    public static HopRetry<HopResponse> CreateRetry(HopRetryOptions options, TimeProvider timeProvider, ILogger? logger) =>
        new HopRetry<HopResponse>(options, timeProvider, ShouldRetry, static r => r.RetryAfter, static r => $"HTTP {(int)r.StatusCode}", logger);

    /// <summary>Whether an attempt of an HTTP hop is worth repeating.</summary>
    public static bool ShouldRetry(AttemptOutcome<HopResponse> outcome) => outcome.Exception switch
    {
        CredentialRequestFailedException failed => failed.IsTransient,
        null => !outcome.Result.IsSuccess && IsTransient(outcome.Result.StatusCode),
        _ => false,
    };

    /// <summary>Reads <c>Retry-After</c> as a wait from now (either form: seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider timeProvider) =>
        response.Headers.RetryAfter switch
        {
            { Delta: TimeSpan delta } => delta,
            { Date: DateTimeOffset date } => date - timeProvider.GetUtcNow() is TimeSpan wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    /// <summary>Reads a body up to <paramref name="maxBytes"/> bytes.</summary>
    /// <exception cref="InvalidDataException">The body is larger.</exception>
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > maxBytes)
        {
            throw new InvalidDataException($"The response declares {declared} bytes, more than the {maxBytes} accepted.");
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadBoundedAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a stream to its end, up to <paramref name="maxBytes"/> bytes; does not dispose it.</summary>
    /// <exception cref="InvalidDataException">The stream holds more.</exception>
    public static async Task<byte[]> ReadBoundedAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[Math.Min(maxBytes + 1, 4096)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    throw new InvalidDataException($"The response is larger than the {maxBytes} bytes accepted.");
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
            }

            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.AsSpan(0, total).ToArray();
            }

            total += read;
        }
    }

    /// <summary>Whether a status means "try again later": throttling or a server-side failure.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Describes a request's target without its query string (which may carry a secret).</summary>
    public static string Describe(HttpRequestMessage request) => Describe(request.RequestUri);

    /// <summary>Describes a URI as scheme, host, port and path: never its user info (a password), query or fragment,
    /// which may carry secrets. Every hop name, message, log line and telemetry tag that names a URL goes through here.</summary>
    public static string Describe(Uri? uri) =>
        uri is null ? "the endpoint"
        : uri.IsAbsoluteUri ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
        : "a relative URL";
}

/// <summary>A fully read response of a hop's request.</summary>
internal readonly record struct HopResponse(HttpStatusCode StatusCode, byte[] Body, string? MediaType, TimeSpan? RetryAfter)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;
}
