using System.Net.Http.Headers;
using System.Text.Json;
using CrossCloudAuth.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Google;

/// <summary>Calls IAM Credentials <c>generateAccessToken</c> and <c>generateIdToken</c> for one service account,
/// authenticated with a federated access token.</summary>
internal sealed partial class IamCredentialsClient
{
    private const string AccessTokenPermission = "iam.serviceAccounts.getAccessToken";
    private const string IdTokenPermission = "iam.serviceAccounts.getOpenIdToken";

    private readonly HttpClient _httpClient;
    private readonly Uri _accessTokenUrl;
    private readonly Uri _idTokenUrl;
    private readonly IReadOnlyList<string>? _delegates;
    private readonly ImpersonationContext _context;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly HopRetry<HopResponse> _retry;
    private readonly ILogger _logger;

    public IamCredentialsClient(HttpClient httpClient, Uri accessTokenUrl, IReadOnlyList<string> delegates, ImpersonationContext context, TimeProvider timeProvider, TimeSpan timeout, HopRetryOptions retry, ILogger? logger)
    {
        _httpClient = httpClient;
        _accessTokenUrl = accessTokenUrl;
        _idTokenUrl = ServiceAccountImpersonationUrl.IdTokenUrlFor(accessTokenUrl);
        _delegates = delegates.Count == 0 ? null : delegates.Select(NormalizeDelegate).ToArray();
        _context = context;
        _timeProvider = timeProvider;
        _timeout = timeout;
        _logger = logger ?? NullLogger.Instance;
        _retry = HopHttp.CreateRetry(retry, timeProvider, _logger);
        AccessTokenHop = $"iam-credentials:generateAccessToken({context.ServiceAccount})";
        IdTokenHop = $"iam-credentials:generateIdToken({context.ServiceAccount})";
    }

    public string AccessTokenHop { get; }

    public string IdTokenHop { get; }

    public async Task<AuthToken> GenerateAccessTokenAsync(AuthToken federated, IReadOnlyList<string> scopes, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        GenerateAccessTokenRequest body = new()
        {
            Scope = scopes,
            Lifetime = lifetime is TimeSpan value ? FormattableString.Invariant($"{(long)value.TotalSeconds}s") : null,
            Delegates = _delegates,
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(body, IamJsonContext.Default.GenerateAccessTokenRequest);
        DateTimeOffset sentAt = _timeProvider.GetUtcNow();
        HopResponse response = await SendAsync(_accessTokenUrl, federated, json, AccessTokenHop, AccessTokenPermission, cancellationToken).ConfigureAwait(false);

        GenerateAccessTokenResponse? parsed = Deserialize(response, IamJsonContext.Default.GenerateAccessTokenResponse, AccessTokenHop);
        if (string.IsNullOrEmpty(parsed?.AccessToken))
        {
            throw Garbled(AccessTokenHop, "it has no accessToken");
        }

        if (!Rfc3339.TryParse(parsed.ExpireTime, out DateTimeOffset expireTime))
        {
            throw Garbled(AccessTokenHop, "its expireTime is missing or not an RFC 3339 timestamp");
        }

        // IAM mints access tokens for at most 12 hours: a later expireTime (year 9999, say) is capped there, so a
        // garbled answer cannot keep a token cached past any real lifetime. Refreshing early is always safe.
        DateTimeOffset latest = sentAt + GoogleDefaults.MaximumTokenLifetime;
        if (expireTime > latest)
        {
            expireTime = latest;
        }

        Log.Minted(_logger, AccessTokenHop, expireTime);
        return new AuthToken(parsed.AccessToken, expireTime);
    }

    public async Task<AuthToken> GenerateIdTokenAsync(AuthToken federated, string audience, bool includeEmail, CancellationToken cancellationToken)
    {
        GenerateIdTokenRequest body = new() { Audience = audience, IncludeEmail = includeEmail, Delegates = _delegates };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(body, IamJsonContext.Default.GenerateIdTokenRequest);
        HopResponse response = await SendAsync(_idTokenUrl, federated, json, IdTokenHop, IdTokenPermission, cancellationToken).ConfigureAwait(false);

        GenerateIdTokenResponse? parsed = Deserialize(response, IamJsonContext.Default.GenerateIdTokenResponse, IdTokenHop);
        if (string.IsNullOrEmpty(parsed?.Token))
        {
            throw Garbled(IdTokenHop, "it has no token");
        }

        if (!JwtExpiry.TryRead(parsed.Token, out DateTimeOffset expiresOn))
        {
            throw Garbled(IdTokenHop, "its token is not a JWT with an exp claim");
        }

        Log.Minted(_logger, IdTokenHop, expiresOn);
        return new AuthToken(parsed.Token, expiresOn, tokenType: "Bearer");
    }

    private async Task<HopResponse> SendAsync(Uri url, AuthToken federated, byte[] json, string hop, string permission, CancellationToken cancellationToken)
    {
        HopResponse response = await _retry.ExecuteAsync(
            hop,
            async token =>
            {
                // A request message is sent once: every attempt builds its own.
                using HttpRequestMessage request = new(HttpMethod.Post, url);
                request.Content = new ByteArrayContent(json);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", federated.Token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return await HopHttp.SendAsync(_httpClient, request, hop, _timeProvider, _timeout, GoogleDefaults.MaxTokenResponseBytes, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            CredentialRequestFailedException error = IamErrorTranslator.Translate(hop, response, _context, permission);
            Log.Refused(_logger, hop, (int)response.StatusCode, error.ErrorCode);
            throw error;
        }

        return response;
    }

    private static T? Deserialize<T>(HopResponse response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string hop)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type);
        }
        catch (JsonException error)
        {
            throw Garbled(hop, $"it is not valid JSON{(error.Path is null ? string.Empty : $" (field {error.Path})")}");
        }
    }

    private static CredentialRequestFailedException Garbled(string hop, string what) =>
        new(hop, $"IAM Credentials answered with a success status, but {what}. Check that service_account_impersonation_url points to IAM Credentials.");

    private static string NormalizeDelegate(string delegateAccount) =>
        delegateAccount.StartsWith("projects/", StringComparison.Ordinal) ? delegateAccount : $"projects/-/serviceAccounts/{delegateAccount}";

    private static partial class Log
    {
        [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "{HopName} minted a token expiring at {ExpiresOn:O}.")]
        public static partial void Minted(ILogger logger, string hopName, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "{HopName} was refused with HTTP {StatusCode} ({Status}).")]
        public static partial void Refused(ILogger logger, string hopName, int statusCode, string? status);
    }
}
