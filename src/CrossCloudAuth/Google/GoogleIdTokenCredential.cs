namespace CrossCloudAuth.Google;

/// <summary>
/// Google-signed ID tokens for one audience (a Cloud Run service URL, an IAP client id) as an
/// <see cref="ICredentialProvider{TCredential}"/>, so that they plug in wherever access tokens do, such as
/// <see cref="GoogleBearerTokenHandler"/> for calls to a Cloud Run service.
/// </summary>
/// <remarks>Each audience is cached by the credential (the hit path neither locks nor allocates). The credential must
/// impersonate a service account: Google issues ID tokens only to service accounts. This type is thread-safe.</remarks>
public sealed class GoogleIdTokenCredential : IInvalidatableCredentialProvider<AuthToken>
{
    private readonly GoogleFederatedCredential _credential;
    private readonly bool _includeEmail;

    /// <summary>Initializes a new instance of the <see cref="GoogleIdTokenCredential"/> class.</summary>
    /// <param name="credential">The credential that mints the tokens. Not disposed by this type.</param>
    /// <param name="audience">The tokens' <c>aud</c> claim.</param>
    /// <param name="includeEmail">Whether the tokens carry the service account's <c>email</c> claim. Default: <see langword="true"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is null or empty.</exception>
    public GoogleIdTokenCredential(GoogleFederatedCredential credential, string audience, bool includeEmail = true)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        _credential = credential;
        Audience = audience;
        _includeEmail = includeEmail;
        HopName = $"iam-credentials:generateIdToken({credential.ServiceAccountEmail ?? "no service account"})";
    }

    /// <summary>Gets the tokens' audience.</summary>
    public string Audience { get; }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Gets an ID token for <see cref="Audience"/>: the cached one while it is fresh.</summary>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The ID token, with its expiry.</returns>
    /// <exception cref="CredentialConfigurationException">The credential impersonates no service account.</exception>
    /// <exception cref="CrossCloudAuthException">No token could be obtained; the message names the hop and the fix.</exception>
    public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default) =>
        _credential.GetIdTokenAsync(Audience, _includeEmail, cancellationToken);

    /// <summary>Reports that a service rejected an ID token from this provider, so that the next call fetches a new
    /// one (see <see cref="GoogleFederatedCredential.Invalidate(AuthToken)"/>).</summary>
    /// <param name="rejected">The rejected ID token.</param>
    /// <returns><see langword="true"/> when the token is no longer served (retry once); <see langword="false"/> when
    /// it was fetched too recently to be dropped (do not retry).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is <see langword="null"/>.</exception>
    public bool Invalidate(AuthToken rejected) => _credential.Invalidate(rejected);
}
