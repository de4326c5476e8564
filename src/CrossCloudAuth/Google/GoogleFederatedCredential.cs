using System.Collections.Concurrent;
using CrossCloudAuth.Caching;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Google;

/// <summary>
/// Google Cloud access tokens (and ID tokens) for a workload outside Google, through Workload Identity Federation:
/// a subject token (a projected OIDC token, a signed AWS request, …) is exchanged at Google STS for a federated
/// token, which optionally impersonates a service account through IAM Credentials. Every hop with an expiry sits
/// behind a lock-free <see cref="RefreshAheadCache{TCredential}"/>.
/// </summary>
/// <remarks>
/// <para>With impersonation STS is asked for the cloud-platform scope and the requested scopes go to
/// <c>generateAccessToken</c>; the federated token is shared by every scope set and ID token audience. Each scope set
/// and each ID token audience gets its own cache. Without impersonation the STS token is the access token (its
/// lifetime is bounded by the subject token's) and ID tokens are not available.</para>
/// <para>This type is thread-safe. Dispose it to stop its caches and, if it created it, its HTTP client.</para>
/// </remarks>
public sealed partial class GoogleFederatedCredential : ICredentialProvider<AuthToken>, IDisposable
{
    private const int MaxCachedVariants = 64;

    private readonly RefreshAheadCache<AuthToken> _federated;
    private readonly RefreshAheadCache<AuthToken> _default;
    private readonly IamCredentialsClient? _iam;
    private readonly Settings _settings;
    private readonly ConcurrentDictionary<string, Lazy<RefreshAheadCache<AuthToken>>> _byScopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Audience, bool IncludeEmail), Lazy<RefreshAheadCache<AuthToken>>> _idTokens = new();
    private readonly HttpClient? _ownedHttpClient;
    private readonly IDisposable? _ownedSource;
    private int _disposed;

    private GoogleFederatedCredential(Settings settings, HttpClient? ownedHttpClient, IDisposable? ownedSource)
    {
        _settings = settings;
        _ownedHttpClient = ownedHttpClient;
        _ownedSource = ownedSource;
        bool impersonating = settings.ImpersonationUrl is not null;

        // With impersonation, the federated token only has to be good enough for IAM Credentials.
        IReadOnlyList<string> stsScopes = impersonating ? [GoogleDefaults.CloudPlatformScope] : settings.Scopes;
        _federated = NewCache(NewExchanger(stsScopes));
        if (impersonating)
        {
            ILogger? logger = settings.LoggerFactory?.CreateLogger<IamCredentialsClient>();
            ImpersonationContext context = new(settings.ServiceAccountEmail!, settings.Audience, settings.SubjectTokenSource.SubjectTokenType);
            _iam = new IamCredentialsClient(settings.HttpClient, settings.ImpersonationUrl!, settings.Delegates, context, settings.TimeProvider, settings.RequestTimeout, settings.Retry, logger);
            _default = NewCache(new ImpersonatedAccessTokenSource(_iam, _federated, settings.Scopes, settings.TokenLifetime));
        }
        else
        {
            _default = _federated;
        }

        _byScopes[ScopeKey(settings.Scopes)] = new Lazy<RefreshAheadCache<AuthToken>>(_default);
    }

    /// <summary>Gets the name of the hop that produces the access token: <c>iam-credentials:generateAccessToken(EMAIL)</c>
    /// with impersonation, <c>google-sts:token-exchange</c> without.</summary>
    public string HopName => _default.HopName;

    /// <summary>Gets the project billed for API calls (<c>quota_project_id</c>), or <see langword="null"/>.</summary>
    public string? QuotaProjectId => _settings.QuotaProjectId;

    /// <summary>Gets the impersonated service account's email, or <see langword="null"/> for direct federated access.</summary>
    public string? ServiceAccountEmail => _settings.ServiceAccountEmail;

    /// <summary>Gets the scopes of the tokens returned by <see cref="GetAsync(CancellationToken)"/>.</summary>
    public IReadOnlyList<string> Scopes => _settings.Scopes;

    /// <summary>Gets the universe domain the credential's endpoints belong to.</summary>
    public string UniverseDomain => _settings.UniverseDomain;

    /// <summary>Gets where subject tokens come from.</summary>
    public ISubjectTokenSource SubjectTokenSource => _settings.SubjectTokenSource;

    internal Settings Configuration => _settings;

    /// <summary>Gets an access token with the configured <see cref="Scopes"/>: the cached one while it is fresh
    /// (no lock, no allocation), otherwise the result of the one shared refresh.</summary>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The subject token's source does not exist here.</exception>
    /// <exception cref="CredentialConfigurationException">A setting is invalid.</exception>
    /// <exception cref="CredentialRequestFailedException">STS or IAM Credentials rejected the request; the message names the fix.</exception>
    /// <exception cref="ObjectDisposedException">The credential has been disposed.</exception>
    public ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default) => _default.GetAsync(cancellationToken);

    /// <summary>Gets an access token with other scopes than the configured ones; each scope set is cached separately
    /// (at most 64 different sets).</summary>
    /// <param name="scopes">The OAuth scopes, such as <c>https://www.googleapis.com/auth/bigquery</c>.</param>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The access token.</returns>
    /// <exception cref="ArgumentException"><paramref name="scopes"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">More than 64 scope sets have been requested.</exception>
    /// <exception cref="CrossCloudAuthException">As for <see cref="GetAsync(CancellationToken)"/>.</exception>
    public ValueTask<AuthToken> GetAccessTokenAsync(IEnumerable<string> scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        string[] normalized = NormalizeScopes(scopes);
        if (normalized.Length == 0)
        {
            throw new ArgumentException("At least one scope is required.", nameof(scopes));
        }

        RefreshAheadCache<AuthToken> cache = GetOrAddCache(_byScopes, ScopeKey(normalized), () =>
            _iam is null
                ? NewCache(NewExchanger(normalized))
                : NewCache(new ImpersonatedAccessTokenSource(_iam, _federated, normalized, _settings.TokenLifetime)));
        return cache.GetAsync(cancellationToken);
    }

    /// <summary>Gets a Google-signed ID token for <paramref name="audience"/> (a Cloud Run URL, an IAP client id) from
    /// the impersonated service account; each audience is cached separately (at most 64).</summary>
    /// <param name="audience">The token's <c>aud</c> claim.</param>
    /// <param name="includeEmail">Whether the token carries the service account's <c>email</c> claim. Default: <see langword="true"/>.</param>
    /// <param name="cancellationToken">Ends this caller's wait; never cancels the shared refresh.</param>
    /// <returns>The ID token, with its expiry from the token's <c>exp</c> claim.</returns>
    /// <exception cref="ArgumentException"><paramref name="audience"/> is null or empty.</exception>
    /// <exception cref="CredentialConfigurationException">No service account is impersonated: Google issues ID tokens only to service accounts.</exception>
    /// <exception cref="CrossCloudAuthException">As for <see cref="GetAsync(CancellationToken)"/>.</exception>
    public ValueTask<AuthToken> GetIdTokenAsync(string audience, bool includeEmail = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(audience);
        if (_iam is null)
        {
            throw new CredentialConfigurationException("iam-credentials:generateIdToken", "ID tokens need service account impersonation: set service_account_impersonation_url (gcloud ... create-cred-config --service-account=EMAIL) or ServiceAccountEmail. Google issues ID tokens only to service accounts.");
        }

        IamCredentialsClient iam = _iam;
        RefreshAheadCache<AuthToken> cache = GetOrAddCache(_idTokens, (audience, includeEmail), () =>
            NewCache(new ImpersonatedIdTokenSource(iam, _federated, audience, includeEmail)));
        return cache.GetAsync(cancellationToken);
    }

    /// <summary>Gets a snapshot of the access token cache, for health checks.</summary>
    /// <returns>The snapshot.</returns>
    public CredentialCacheStatus GetStatus() => _default.GetStatus();

    /// <summary>Stops every cache and disposes the HTTP client if the credential created it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (Lazy<RefreshAheadCache<AuthToken>> cache in _byScopes.Values.Concat(_idTokens.Values))
        {
            if (cache.IsValueCreated)
            {
                cache.Value.Dispose();
            }
        }

        _federated.Dispose();
        _default.Dispose();
        _ownedSource?.Dispose();
        _ownedHttpClient?.Dispose();
    }

    private static string[] NormalizeScopes(IEnumerable<string> scopes) =>
        scopes.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.Ordinal).ToArray();

    private static string ScopeKey(IEnumerable<string> scopes) => string.Join(' ', scopes.Order(StringComparer.Ordinal));

    private RefreshAheadCache<AuthToken> GetOrAddCache<TKey>(ConcurrentDictionary<TKey, Lazy<RefreshAheadCache<AuthToken>>> caches, TKey key, Func<RefreshAheadCache<AuthToken>> create)
        where TKey : notnull
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (caches.TryGetValue(key, out Lazy<RefreshAheadCache<AuthToken>>? existing))
        {
            return existing.Value;
        }

        if (caches.Count >= MaxCachedVariants)
        {
            throw new InvalidOperationException($"More than {MaxCachedVariants} different scope sets or ID token audiences were requested from one credential; reuse a few fixed ones.");
        }

        Lazy<RefreshAheadCache<AuthToken>> added = caches.GetOrAdd(key, _ => new Lazy<RefreshAheadCache<AuthToken>>(create, LazyThreadSafetyMode.ExecutionAndPublication));
        return added.Value;
    }

    private GoogleStsExchanger NewExchanger(IReadOnlyList<string> scopes) => new(
        _settings.HttpClient,
        _settings.SubjectTokenSource,
        _settings.TokenUrl,
        _settings.Audience,
        scopes,
        _settings.WorkforcePoolUserProject,
        _settings.ClientId,
        _settings.ClientSecret,
        _settings.TimeProvider,
        _settings.RequestTimeout,
        _settings.Retry,
        _settings.LoggerFactory?.CreateLogger<GoogleStsExchanger>());

    private RefreshAheadCache<AuthToken> NewCache(ICredentialProvider<AuthToken> source) =>
        new(source, _settings.CacheOptions, _settings.TimeProvider, _settings.LoggerFactory?.CreateLogger<RefreshAheadCache<AuthToken>>());
}
