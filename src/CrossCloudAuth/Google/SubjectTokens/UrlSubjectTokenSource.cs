using CrossCloudAuth.Platform;
using System.Net.Http.Headers;
using CrossCloudAuth.Http;

namespace CrossCloudAuth.Google;

/// <summary>
/// Fetches the subject token with a GET request on every call, such as from a local token agent or a metadata
/// endpoint (<c>credential_source.url</c> with optional <c>headers</c> and <c>format</c>).
/// </summary>
/// <remarks>The response is read with a size cap and never appears in an error or a log; the header values are
/// never logged either (they often carry a secret). This type is thread-safe.</remarks>
public sealed class UrlSubjectTokenSource : ISubjectTokenSource
{
    private readonly HttpClient _httpClient;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly SubjectTokenFormat _format;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;

    /// <summary>Initializes a new instance of the <see cref="UrlSubjectTokenSource"/> class.</summary>
    /// <param name="url">The absolute http or https URL to GET.</param>
    /// <param name="subjectTokenType">The token's RFC 8693 type; see <see cref="SubjectTokenTypes"/>.</param>
    /// <param name="headers">Headers to send, such as <c>Metadata: True</c>; none when <see langword="null"/>.</param>
    /// <param name="format">How the token sits in the response; <see cref="SubjectTokenFormat.Text"/> when <see langword="null"/>.</param>
    /// <param name="timeout">The request's deadline. Default: 30 seconds.</param>
    /// <param name="context">The HTTP client (a shared default when the context has none; never disposed) and the clock;
    /// <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="url"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute http(s) URL or carries user info, or <paramref name="subjectTokenType"/> is empty.</exception>
    public UrlSubjectTokenSource(
        Uri url,
        string subjectTokenType,
        IReadOnlyDictionary<string, string>? headers = null,
        SubjectTokenFormat? format = null,
        TimeSpan? timeout = null,
        CredentialContext? context = null)
        : this(context?.HttpClient ?? HopHttp.SharedClient, url, subjectTokenType, headers, format, context?.TimeProvider, timeout)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal UrlSubjectTokenSource(
        HttpClient httpClient,
        Uri url,
        string subjectTokenType,
        IReadOnlyDictionary<string, string>? headers,
        SubjectTokenFormat? format,
        TimeProvider? timeProvider,
        TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(subjectTokenType);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The subject token URL must be an absolute http or https URL.", nameof(url));
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ArgumentException("The subject token URL must not carry user info (user:password@host): it would leak into hop names, messages and telemetry. Send credentials as headers.", nameof(url));
        }

        _httpClient = httpClient;
        Url = url;
        SubjectTokenType = subjectTokenType;
        _headers = headers?.ToArray() ?? [];
        _format = format ?? SubjectTokenFormat.Text;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _timeout = timeout ?? GoogleDefaults.RequestTimeout;
        HopName = $"url:{HopHttp.Describe(url)}";
    }

    /// <summary>Gets the URL the token is fetched from.</summary>
    public Uri Url { get; }

    /// <inheritdoc />
    public string HopName { get; }

    /// <inheritdoc />
    public string SubjectTokenType { get; }

    /// <inheritdoc />
    public async ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default)
    {
        using HttpRequestMessage request = new(HttpMethod.Get, Url);
        foreach (KeyValuePair<string, string> header in _headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(_format.IsJson ? "application/json" : "text/plain"));
        HopResponse response = await HopHttp.SendAsync(_httpClient, request, HopName, _timeProvider, _timeout, GoogleDefaults.MaxSubjectTokenBytes, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new CredentialRequestFailedException(
                HopName,
                $"The subject token endpoint answered HTTP {(int)response.StatusCode} {response.StatusCode}. Check credential_source.url and credential_source.headers, and that the token agent is running.",
                response.StatusCode,
                isTransient: HopHttp.IsTransient(response.StatusCode));
        }

        return _format.Extract(response.Body, HopName, "subject token response");
    }
}
