using System.Net;
using System.Net.Http.Headers;

namespace CrossCloudAuth.Google;

/// <summary>
/// A <see cref="DelegatingHandler"/> for plain <see cref="HttpClient"/> users (REST calls to Google APIs without the
/// Google client libraries): adds <c>Authorization: Bearer</c> from a cached token source and, when set,
/// <c>x-goog-user-project</c>. Refuses to send a token over plain http, except to a loopback address when
/// <see cref="GoogleBearerTokenHandlerOptions.AllowHttpToLoopback"/> is set.
/// </summary>
/// <remarks>
/// <para>When the service answers 401 and the token source is an <see cref="IInvalidatableCredentialProvider{TCredential}"/>
/// (a <see cref="GoogleFederatedCredential"/>, a <see cref="GoogleIdTokenCredential"/>, a cache), the rejected token is
/// dropped and the request is sent once more with a new token, provided it can be sent again unchanged: no body, or a
/// body held in memory (<see cref="ByteArrayContent"/> and its <see cref="StringContent"/> and
/// <see cref="FormUrlEncodedContent"/>, <see cref="ReadOnlyMemoryContent"/>, or <see cref="MultipartContent"/> of
/// these). A streamed body (<see cref="StreamContent"/>, custom content) is never replayed: the 401 is returned. A token
/// fetched less than 30 seconds before it is rejected is not dropped, so a service that rejects every token costs at
/// most one retry per request and one new token per 30 seconds.</para>
/// <para>Use it with <c>IHttpClientFactory</c> (<c>AddHttpMessageHandler</c>) or as the handler of an
/// <see cref="HttpClient"/>. It does not dispose the token source. This type is thread-safe.</para>
/// </remarks>
public sealed class GoogleBearerTokenHandler : DelegatingHandler
{
    private const string HopName = "http:bearer-token";

    private readonly ICredentialProvider<AuthToken> _tokens;
    private readonly string? _quotaProjectId;
    private readonly bool _allowHttpToLoopback;

    /// <summary>Initializes a new instance of the <see cref="GoogleBearerTokenHandler"/> class over a source of Google
    /// access tokens: a <see cref="GoogleFederatedCredential"/> (whose quota project is then the default) or any cache.
    /// It is called for every request.</summary>
    /// <param name="tokenProvider">Supplies access tokens. Not disposed by this handler.</param>
    /// <param name="options">Quota project and http policy; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenProvider"/> is null.</exception>
    public GoogleBearerTokenHandler(ICredentialProvider<AuthToken> tokenProvider, GoogleBearerTokenHandlerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenProvider);
        _tokens = tokenProvider;
        string? quotaProjectId = options?.QuotaProjectId ?? (tokenProvider as GoogleFederatedCredential)?.QuotaProjectId;
        _quotaProjectId = string.IsNullOrWhiteSpace(quotaProjectId) ? null : quotaProjectId;
        _allowHttpToLoopback = options?.AllowHttpToLoopback ?? false;
    }

    /// <inheritdoc />
    /// <exception cref="CredentialConfigurationException">The request goes over plain http to a host that is not an allowed loopback address.</exception>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureSafeTransport(request.RequestUri);
        AuthToken token = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        if (_quotaProjectId is not null && !request.Headers.Contains(GoogleDefaults.QuotaProjectHeader))
        {
            request.Headers.TryAddWithoutValidation(GoogleDefaults.QuotaProjectHeader, _quotaProjectId);
        }

        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized
            || _tokens is not IInvalidatableCredentialProvider<AuthToken> invalidatable
            || !IsReplayable(request.Content)
            || !invalidatable.Invalidate(token))
        {
            return response;
        }

        AuthToken fresh;
        try
        {
            fresh = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (string.Equals(fresh.Token, token.Token, StringComparison.Ordinal))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.Token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the request body can be sent a second time unchanged: none, or one held in memory.</summary>
    internal static bool IsReplayable(HttpContent? content) => content switch
    {
        null => true,
        ByteArrayContent or ReadOnlyMemoryContent => true,
        MultipartContent parts => parts.All(IsReplayable),
        _ => false,
    };

    private void EnsureSafeTransport(Uri? uri)
    {
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new CredentialConfigurationException(HopName, "The request has no absolute URI; set HttpClient.BaseAddress so the handler can check where the token goes.");
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }

        bool loopback = uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
        if (uri.Scheme == Uri.UriSchemeHttp && loopback && _allowHttpToLoopback)
        {
            return;
        }

        string why = uri.Scheme != Uri.UriSchemeHttp
            ? $"the scheme {uri.Scheme} is not https"
            : loopback
                ? "it is plain http; set AllowHttpToLoopback to allow http to a local emulator"
                : "it is plain http to a non-loopback host";
        throw new CredentialConfigurationException(HopName, $"Refusing to send a Google access token to {uri.Scheme}://{uri.Authority}: {why}. Use https.");
    }
}
