using System.Net;
using System.Net.Http.Headers;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace CrossCloudAuth.Google.Apis;

/// <summary>
/// A Google.Apis.Auth <see cref="ICredential"/> over this library's cached tokens, so that every Google .NET client
/// that takes an <see cref="ICredential"/> (<c>BaseClientService.Initializer.HttpClientInitializer</c>, the
/// <c>Credential</c> property of Cloud client builders, <c>ICredential</c> resolved from dependency injection, gRPC
/// through <c>Grpc.Auth</c>) works unchanged. It also adds <c>x-goog-user-project</c> when a quota project is set
/// (<see cref="ITokenAccessWithHeaders"/>), because Cloud client builders apply no quota project to a raw credential.
/// </summary>
/// <remarks>
/// <para>The hit path reads the lock-free cache and hands out a completed <see cref="Task{TResult}"/> created once per
/// token, so it neither locks nor allocates.</para>
/// <para><see cref="IOidcTokenProvider"/> is not implemented: its result type <see cref="OidcToken"/> can only be
/// built inside Google.Apis.Auth. Use <see cref="GoogleFederatedCredential.GetIdTokenAsync(string, bool, CancellationToken)"/>
/// for ID tokens. This type is thread-safe.</para>
/// <para>As Google.Apis.Auth's own credentials do, it handles a 401 from a Google API (<see cref="IHttpUnsuccessfulResponseHandler"/>,
/// installed with the credential by <see cref="Initialize"/>): when the token provider is an
/// <see cref="IInvalidatableCredentialProvider{TCredential}"/> (a <see cref="GoogleFederatedCredential"/>, a cache), the
/// rejected token is dropped and the request is retried once with a new one.</para>
/// </remarks>
public sealed class GoogleApisCredential : ICredential, ITokenAccessWithHeaders, IHttpExecuteInterceptor, IHttpUnsuccessfulResponseHandler
{
    private readonly ICredentialProvider<AuthToken> _tokens;
    private readonly AccessTokenWithHeaders.Builder _headersBuilder;
    private Issued? _issued;

    /// <summary>Initializes a new instance of the <see cref="GoogleApisCredential"/> class over a federated credential,
    /// with its quota project.</summary>
    /// <param name="credential">The credential whose access tokens to hand out. Not disposed by this type.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is null.</exception>
    public GoogleApisCredential(GoogleFederatedCredential credential)
        : this(credential, credential?.QuotaProjectId)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GoogleApisCredential"/> class over any source of Google
    /// access tokens (normally a cache).</summary>
    /// <param name="tokenProvider">Supplies access tokens; called on every request, so it should be a cache.</param>
    /// <param name="quotaProjectId">The project to bill, sent as <c>x-goog-user-project</c>; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tokenProvider"/> is null.</exception>
    public GoogleApisCredential(ICredentialProvider<AuthToken> tokenProvider, string? quotaProjectId = null)
    {
        ArgumentNullException.ThrowIfNull(tokenProvider);
        _tokens = tokenProvider;
        QuotaProjectId = string.IsNullOrWhiteSpace(quotaProjectId) ? null : quotaProjectId;
        _headersBuilder = new AccessTokenWithHeaders.Builder { QuotaProject = QuotaProjectId };
    }

    /// <summary>Gets the project billed for API calls, or <see langword="null"/>.</summary>
    public string? QuotaProjectId { get; }

    /// <summary>Installs this credential on a Google HTTP client, which then calls <see cref="InterceptAsync"/> before each
    /// request and <see cref="HandleResponseAsync"/> after each unsuccessful response.</summary>
    /// <param name="httpClient">The client being built.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> is null.</exception>
    public void Initialize(ConfigurableHttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        httpClient.MessageHandler.Credential = this;
    }

    /// <summary>Gets the current access token (the cached one while it is fresh).</summary>
    /// <param name="authUri">Ignored: the token does not depend on the request.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="CrossCloudAuthException">No token could be obtained; the message names the hop and the fix.</exception>
    public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default)
    {
        ValueTask<AuthToken> pending = _tokens.GetAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? IssuedFor(pending.Result).Token : SlowTokenAsync(pending);
    }

    /// <summary>Gets the current access token with the <c>x-goog-user-project</c> header when a quota project is set.</summary>
    /// <param name="authUri">Ignored.</param>
    /// <param name="cancellationToken">Ends this caller's wait.</param>
    /// <returns>The token and its headers.</returns>
    /// <exception cref="CrossCloudAuthException">No token could be obtained.</exception>
    public Task<AccessTokenWithHeaders> GetAccessTokenWithHeadersForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default)
    {
        ValueTask<AuthToken> pending = _tokens.GetAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? IssuedFor(pending.Result).WithHeaders : SlowWithHeadersAsync(pending);
    }

    /// <summary>Adds <c>Authorization: Bearer</c> (and <c>x-goog-user-project</c>) to a request.</summary>
    /// <param name="request">The outgoing request.</param>
    /// <param name="cancellationToken">Ends the wait for a token.</param>
    /// <returns>A task that completes when the headers are set.</returns>
    public async Task InterceptAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AccessTokenWithHeaders token = await GetAccessTokenWithHeadersForRequestAsync(null, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        if (QuotaProjectId is not null && !request.Headers.Contains(GoogleDefaults.QuotaProjectHeader))
        {
            token.AddHeaders(request);
        }
    }

    /// <summary>Handles a 401 from a Google API: when the request carried the token this credential currently serves,
    /// drops it from the token provider so that the retry carries a new one. Google's HTTP client then retries the
    /// request (it replays the body itself).</summary>
    /// <param name="args">The failed request and its response.</param>
    /// <returns><see langword="true"/> when a retry will carry a different token: the rejected token was dropped, or
    /// it had already been replaced. <see langword="false"/> for any other status, when the token provider cannot drop
    /// tokens, or when the token was fetched too recently to be dropped again (so a service rejecting every token
    /// gets one retry, never a loop).</returns>
    /// <exception cref="CrossCloudAuthException">A new token was needed and could not be obtained; the message names the
    /// hop and the fix.</exception>
    public async Task<bool> HandleResponseAsync(HandleUnsuccessfulResponseArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Response?.StatusCode != HttpStatusCode.Unauthorized
            || _tokens is not IInvalidatableCredentialProvider<AuthToken> invalidatable
            || args.Request?.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } sent })
        {
            return false;
        }

        // Compare with the token served now, not the one a concurrent request may have just replaced it with.
        AuthToken current = await _tokens.GetAsync(args.CancellationToken).ConfigureAwait(false);
        if (!string.Equals(current.Token, sent, StringComparison.Ordinal))
        {
            return true;
        }

        return invalidatable.Invalidate(current);
    }

    private async Task<string> SlowTokenAsync(ValueTask<AuthToken> pending) =>
        IssuedFor(await pending.ConfigureAwait(false)).Token.Result;

    private async Task<AccessTokenWithHeaders> SlowWithHeadersAsync(ValueTask<AuthToken> pending) =>
        IssuedFor(await pending.ConfigureAwait(false)).WithHeaders.Result;

    // One completed task per token: created on rotation, reused by every hit.
    private Issued IssuedFor(AuthToken token)
    {
        Issued? issued = Volatile.Read(ref _issued);
        if (issued is not null && ReferenceEquals(issued.Source, token))
        {
            return issued;
        }

        issued = new Issued(token, Task.FromResult(token.Token), Task.FromResult(_headersBuilder.Build(token.Token)));
        Volatile.Write(ref _issued, issued);
        return issued;
    }

    private sealed record Issued(AuthToken Source, Task<string> Token, Task<AccessTokenWithHeaders> WithHeaders);
}
