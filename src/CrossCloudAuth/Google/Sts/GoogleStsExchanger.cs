using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrossCloudAuth.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Google;

/// <summary>
/// One RFC 8693 token exchange at Google STS per call: a fresh subject token in, a federated access token out.
/// Wrapped in a <see cref="Caching.RefreshAheadCache{TCredential}"/> by <see cref="GoogleFederatedCredential"/>.
/// </summary>
internal sealed partial class GoogleStsExchanger : ICredentialProvider<AuthToken>
{
    private readonly HttpClient _httpClient;
    private readonly ISubjectTokenSource _subjectTokenSource;
    private readonly Uri _tokenUrl;
    private readonly string _audience;
    private readonly string _scope;
    private readonly string? _optionsJson;
    private readonly AuthenticationHeaderValue? _clientAuthentication;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly HopRetry<HopResponse> _retry;
    private readonly ILogger _logger;

    public GoogleStsExchanger(
        HttpClient httpClient,
        ISubjectTokenSource subjectTokenSource,
        Uri tokenUrl,
        string audience,
        IEnumerable<string> scopes,
        string? workforcePoolUserProject,
        string? clientId,
        string? clientSecret,
        TimeProvider timeProvider,
        TimeSpan timeout,
        HopRetryOptions retry,
        ILogger? logger)
    {
        _httpClient = httpClient;
        _subjectTokenSource = subjectTokenSource;
        _tokenUrl = tokenUrl;
        _audience = audience;
        _scope = string.Join(' ', scopes);
        _timeProvider = timeProvider;
        _timeout = timeout;
        _logger = logger ?? NullLogger.Instance;
        _retry = HopHttp.CreateRetry(retry, timeProvider, _logger);
        if (!string.IsNullOrEmpty(clientId))
        {
            string pair = $"{clientId}:{clientSecret}";
            _clientAuthentication = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        // Google accepts options only without client authentication.
        if (!string.IsNullOrEmpty(workforcePoolUserProject) && _clientAuthentication is null)
        {
            _optionsJson = JsonSerializer.Serialize(new StsOptions { UserProject = workforcePoolUserProject }, StsJsonContext.Default.StsOptions);
        }

        HopName = "google-sts:token-exchange";
    }

    public string HopName { get; }

    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        string subjectToken = await _subjectTokenSource.GetSubjectTokenAsync(cancellationToken).ConfigureAwait(false);

        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", GoogleDefaults.TokenExchangeGrantType),
            new("audience", _audience),
            new("scope", _scope),
            new("requested_token_type", GoogleDefaults.AccessTokenType),
            new("subject_token", subjectToken),
            new("subject_token_type", _subjectTokenSource.SubjectTokenType),
        ];
        if (_optionsJson is not null)
        {
            form.Add(new("options", _optionsJson));
        }

        DateTimeOffset sentAt = _timeProvider.GetUtcNow();
        HopResponse response = await _retry.ExecuteAsync(
            HopName,
            async token =>
            {
                // A request message is sent once: every attempt builds its own.
                sentAt = _timeProvider.GetUtcNow();
                using HttpRequestMessage request = new(HttpMethod.Post, _tokenUrl) { Content = new FormUrlEncodedContent(form) };
                request.Headers.Authorization = _clientAuthentication;
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                return await HopHttp.SendAsync(_httpClient, request, HopName, _timeProvider, _timeout, GoogleDefaults.MaxTokenResponseBytes, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            CredentialRequestFailedException error = StsErrorTranslator.Translate(HopName, response, _audience, _subjectTokenSource.SubjectTokenType, subjectToken);
            Log.ExchangeFailed(_logger, HopName, (int)response.StatusCode, error.ErrorCode);
            throw error;
        }

        StsTokenResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(response.Body, StsJsonContext.Default.StsTokenResponse);
        }
        catch (JsonException error)
        {
            throw Garbled($"it is not valid JSON{(error.Path is null ? string.Empty : $" (field {error.Path})")}");
        }

        if (parsed is null || string.IsNullOrEmpty(parsed.AccessToken))
        {
            throw Garbled("it has no access_token");
        }

        if (parsed.ExpiresIn is not long expiresIn || expiresIn <= 0)
        {
            throw Garbled("it has no positive expires_in");
        }

        // The lifetime counts from when the request was sent, so latency never makes a token look fresher than it is.
        // Google issues no access token for longer than 12 hours; a larger expires_in (up to long.MaxValue, which does
        // not fit a TimeSpan) is clamped to that: refreshing earlier than the server said is always safe, whereas
        // rejecting the answer would turn a quirky but working endpoint into an outage.
        TimeSpan lifetime = expiresIn >= (long)GoogleDefaults.MaximumTokenLifetime.TotalSeconds ? GoogleDefaults.MaximumTokenLifetime : TimeSpan.FromSeconds(expiresIn);
        AuthToken token = new(parsed.AccessToken, sentAt + lifetime, tokenType: "Bearer");
        Log.Exchanged(_logger, HopName, _subjectTokenSource.HopName, parsed.IssuedTokenType, token.ExpiresOn);
        return token;
    }

    private CredentialRequestFailedException Garbled(string what) =>
        new(HopName, $"Google STS answered with a success status, but {what}. Check that token_url points to Google STS.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "{HopName} exchanged a subject token from {SubjectHop} for a {IssuedTokenType} expiring at {ExpiresOn:O}.")]
        public static partial void Exchanged(ILogger logger, string hopName, string subjectHop, string? issuedTokenType, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "{HopName} was rejected with HTTP {StatusCode} ({ErrorCode}).")]
        public static partial void ExchangeFailed(ILogger logger, string hopName, int statusCode, string? errorCode);
    }
}
