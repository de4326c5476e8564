using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Google.Sts;

/// <summary>
/// Google STS <c>POST /v1/token</c> (RFC 8693 token exchange): resolves the audience to a workload identity
/// pool provider, verifies the subject (an OIDC JWT against the provider issuer's JWKS, or an
/// <c>aws4_request</c> by replaying the signed <c>GetCallerIdentity</c> against the emulated AWS STS),
/// applies the attribute mapping and condition, and issues a federated access token.
/// </summary>
internal sealed class GoogleStsEndpoint(
    IReadOnlyList<WorkloadIdentityPoolBuilder> pools,
    JwtVerifier jwts,
    AwsStsEndpoint awsSts,
    Func<string> awsStsHost,
    GoogleTokenStore tokens) : IEmulatedEndpoint
{
    private const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    private const string JwtType = "urn:ietf:params:oauth:token-type:jwt";
    private const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";
    private const string Aws4RequestType = "urn:ietf:params:aws:token-type:aws4_request";
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);

    public EmulatedService Service => EmulatedService.GoogleSts;

    public async ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (request.Path != "/v1/token")
        {
            return GoogleErrors.Api(HttpStatusCode.NotFound, "NOT_FOUND", "The requested URL was not found on this server.");
        }

        if (request.Method != "POST")
        {
            return GoogleErrors.OAuth(HttpStatusCode.MethodNotAllowed, "invalid_request", "Only POST is supported.");
        }

        string? Field(string name) => request.IsForm ? request.Form[name] : JsonField(request, name);

        string? grantType = Field("grant_type");
        if (grantType != TokenExchange)
        {
            return Bad("unsupported_grant_type", $"Unsupported grant_type: \"{grantType}\". Use \"{TokenExchange}\".");
        }

        string? requested = Field("requested_token_type");
        if (requested is not null && requested != AccessTokenType)
        {
            return Bad("invalid_request", $"Invalid value for \"requested_token_type\": \"{requested}\". Only \"{AccessTokenType}\" is supported.");
        }

        string? audience = Field("audience");
        string? subjectToken = Field("subject_token");
        string? subjectTokenType = Field("subject_token_type");
        if (string.IsNullOrEmpty(audience) || !audience.StartsWith("//iam.googleapis.com/", StringComparison.Ordinal))
        {
            return Bad("invalid_request", "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.");
        }

        if (string.IsNullOrEmpty(subjectToken))
        {
            return Bad("invalid_request", "Invalid value for \"subject_token\": the parameter is required.");
        }

        WorkloadIdentityProviderBuilder? provider = pools.SelectMany(p => p.Providers).FirstOrDefault(p => p.Audience == audience);
        if (provider is null || provider.Disabled)
        {
            return Bad("invalid_target", "The target service indicated by the \"audience\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist.");
        }

        bool typeMatches = provider.Kind == WorkloadIdentityProviderKind.Aws
            ? subjectTokenType == Aws4RequestType
            : subjectTokenType is JwtType or IdTokenType;
        if (!typeMatches)
        {
            return Bad("invalid_request", $"Invalid value for \"subject_token_type\": \"{subjectTokenType}\". The provider {provider.ResourceName} accepts \"{provider.SubjectTokenType}\".");
        }

        Verified verified = provider.Kind == WorkloadIdentityProviderKind.Aws
            ? await VerifyAwsAsync(provider, subjectToken, cancellationToken).ConfigureAwait(false)
            : await VerifyOidcAsync(provider, subjectToken, cancellationToken).ConfigureAwait(false);
        if (verified.Rejection is not null)
        {
            return verified.Rejection;
        }

        return Issue(provider, verified, Field("scope"));
    }

    private EmulatorResponse Issue(WorkloadIdentityProviderBuilder provider, Verified verified, string? scope)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal) { ["assertion"] = verified.Assertion };
        string? subject = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var groups = new List<string>();
        try
        {
            foreach ((string target, string expression) in provider.Mapping)
            {
                object? value;
                try
                {
                    value = CelExpression.Parse(expression).Evaluate(variables);
                }
                catch (CelException) when (target != "google.subject")
                {
                    // A custom attribute over a claim this credential lacks is left unset, not fatal.
                    continue;
                }

                switch (target)
                {
                    case "google.subject":
                        subject = value as string;
                        break;
                    case "google.groups":
                        groups.AddRange(value is IReadOnlyList<object?> list ? list.OfType<string>() : value is string g ? [g] : []);
                        break;
                    default:
                        if (target.StartsWith("attribute.", StringComparison.Ordinal) && value is string text)
                        {
                            attributes[target["attribute.".Length..]] = text;
                        }

                        break;
                }
            }

            if (string.IsNullOrEmpty(subject))
            {
                return Bad("invalid_grant", "The mapped attribute 'google.subject' is empty. Check the provider's attribute mapping.");
            }

            if (Encoding.UTF8.GetByteCount(subject) > 127)
            {
                return Bad("invalid_grant", "The mapped attribute 'google.subject' exceeds the 127 byte limit.");
            }

            if (provider.Condition is { } condition)
            {
                variables["google"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["subject"] = subject, ["groups"] = groups.Cast<object?>().ToList() };
                variables["attribute"] = attributes.ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal);
                if (!CelExpression.IsTrue(CelExpression.Parse(condition).Evaluate(variables)))
                {
                    return GoogleErrors.OAuth(HttpStatusCode.Unauthorized, "unauthorized_client", "The given credential is rejected by the attribute condition.");
                }
            }
        }
        catch (CelException ex)
        {
            return Bad("invalid_request", $"The attribute mapping or condition could not be evaluated: {ex.Message}");
        }

        HashSet<string> scopes = string.IsNullOrWhiteSpace(scope)
            ? [GoogleToken.CloudPlatformScope]
            : [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        TimeSpan lifetime = verified.NotAfter is { } notAfter ? TimeSpanMin(MaxLifetime, notAfter - tokens.Clock.GetUtcNow()) : MaxLifetime;
        if (lifetime < TimeSpan.FromSeconds(1))
        {
            lifetime = TimeSpan.FromSeconds(1);
        }

        GoogleToken token = tokens.IssueFederated(provider.Pool.ResourceName, subject, attributes, groups, scopes, lifetime);
        return EmulatorResponse.Json(new JsonObject
        {
            ["access_token"] = token.Value,
            ["issued_token_type"] = AccessTokenType,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)(token.ExpiresAt - tokens.Clock.GetUtcNow()).TotalSeconds,
        });
    }

    private async Task<Verified> VerifyOidcAsync(WorkloadIdentityProviderBuilder provider, string token, CancellationToken cancellationToken)
    {
        string expectedIssuer = provider.Issuer!.Issuer;
        if (!JwtToken.TryParse(token, out JwtToken? unverified) || unverified is null)
        {
            return Verified.Reject(Bad("invalid_grant", "Unable to parse the ID Token."));
        }

        if (unverified.Issuer != expectedIssuer)
        {
            return Verified.Reject(Bad("invalid_grant", $"The issuer in ID Token {unverified.Issuer} does not match the expected ISSUER {expectedIssuer}."));
        }

        JwtVerification verification = await jwts.VerifyAsync(token, cancellationToken).ConfigureAwait(false);
        string? failure = verification.Failure switch
        {
            JwtFailure.None => null,
            JwtFailure.Expired => $"ID Token expired at {verification.Token!.ExpiresAt} (now {tokens.Clock.GetUtcNow().ToUnixTimeSeconds()}). Read a fresh token from the projected volume on each exchange.",
            JwtFailure.NotYetValid => $"ID Token issued at {verification.Token!.IssuedAt} is not yet valid (now {tokens.Clock.GetUtcNow().ToUnixTimeSeconds()}).",
            JwtFailure.KeysUnavailable => $"Failed to fetch the JWKS of the issuer {expectedIssuer}.",
            JwtFailure.UnknownKey => "The ID Token's key id (kid) is not in the issuer's JWKS.",
            JwtFailure.BadSignature => "Invalid ID Token signature: it does not verify with the issuer's JWKS.",
            JwtFailure.MissingExpiry => "The ID Token has no expiration (exp) claim.",
            _ => "Unable to verify the ID Token: " + verification.Detail,
        };
        if (failure is not null)
        {
            return Verified.Reject(Bad("invalid_grant", failure));
        }

        JwtToken jwt = verification.Token!;
        if (!jwt.Audiences.Any(provider.AllowedAudiences.Contains))
        {
            return Verified.Reject(Bad("invalid_grant", $"The audience in ID Token [{string.Join(", ", jwt.Audiences)}] does not match the expected audience."));
        }

        return new Verified(null, CelValues.FromJson(jwt.Payload), DateTimeOffset.FromUnixTimeSeconds(jwt.ExpiresAt!.Value));
    }

    private async Task<Verified> VerifyAwsAsync(WorkloadIdentityProviderBuilder provider, string subjectToken, CancellationToken cancellationToken)
    {
        SerializedAwsRequest? serialized = SerializedAwsRequest.Parse(subjectToken);
        if (serialized is null)
        {
            return Verified.Reject(Bad("invalid_grant", "The subject token is not a serialized AWS request: expected URL-encoded JSON with url, method and headers."));
        }

        string? target = serialized.Header("x-goog-cloud-target-resource");
        if (target is null)
        {
            return Verified.Reject(Bad("invalid_grant", "The AWS request does not carry the x-goog-cloud-target-resource header."));
        }

        if (target != provider.Audience && target != "https:" + provider.Audience)
        {
            return Verified.Reject(Bad("invalid_grant", $"The x-goog-cloud-target-resource header \"{target}\" does not match the audience {provider.Audience}."));
        }

        if (!Uri.TryCreate(serialized.Url, UriKind.Absolute, out Uri? url) || !IsStsHost(url) || serialized.Method is not ("POST" or "GET"))
        {
            return Verified.Reject(Bad("invalid_grant", $"The AWS request must be a GetCallerIdentity call to an AWS STS endpoint, not {serialized.Method} {serialized.Url}."));
        }

        var replay = new EmulatorRequest(serialized.Method, url.PathAndQuery, serialized.Headers, Encoding.UTF8.GetBytes(serialized.Body ?? string.Empty));
        if (replay.Parameter("Action") != "GetCallerIdentity")
        {
            return Verified.Reject(Bad("invalid_grant", "The AWS request must call the GetCallerIdentity action."));
        }

        EmulatorResponse answer = await awsSts.HandleAsync(replay, cancellationToken).ConfigureAwait(false);
        (string? arn, string? account, string? userId, string? code, string? message) = StsXml.Parse(answer.BodyText);
        if (answer.StatusCode != HttpStatusCode.OK || arn is null)
        {
            return Verified.Reject(Bad("invalid_grant", $"Received invalid AWS response of type {code} with error message: {message}"));
        }

        if (account != provider.AwsAccountId)
        {
            return Verified.Reject(Bad("invalid_grant", $"The AWS account {account} of the caller is not the account {provider.AwsAccountId} of the provider {provider.ResourceName}."));
        }

        var assertion = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["arn"] = arn,
            ["account"] = account,
            ["userid"] = userId,
        };
        return new Verified(null, assertion, null);
    }

    private bool IsStsHost(Uri url)
    {
        string host = url.Host;
        bool aws = url.Scheme == "https" && (host == "sts.amazonaws.com" || (host.StartsWith("sts.", StringComparison.Ordinal) && host.EndsWith(".amazonaws.com", StringComparison.Ordinal)));
        return aws || string.Equals(url.Authority, awsStsHost(), StringComparison.OrdinalIgnoreCase);
    }

    private static string? JsonField(EmulatorRequest request, string name)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(request.Body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan TimeSpanMin(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static EmulatorResponse Bad(string error, string description) => GoogleErrors.OAuth(HttpStatusCode.BadRequest, error, description);

    private sealed record Verified(EmulatorResponse? Rejection, object? Assertion, DateTimeOffset? NotAfter)
    {
        public static Verified Reject(EmulatorResponse rejection) => new(rejection, null, null);
    }

    /// <summary>The <c>aws4_request</c> subject: a URL-encoded JSON <c>{url, method, headers: [{key, value}], body?}</c>.</summary>
    private sealed record SerializedAwsRequest(string Url, string Method, IReadOnlyDictionary<string, string> Headers, string? Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

        public static SerializedAwsRequest? Parse(string subjectToken)
        {
            try
            {
                string json = subjectToken.TrimStart().StartsWith('{') ? subjectToken : Uri.UnescapeDataString(subjectToken);
                using JsonDocument document = JsonDocument.Parse(json);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object ||
                    !root.TryGetProperty("url", out JsonElement url) || url.ValueKind != JsonValueKind.String ||
                    !root.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String ||
                    !root.TryGetProperty("headers", out JsonElement headers) || headers.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonElement header in headers.EnumerateArray())
                {
                    if (header.ValueKind == JsonValueKind.Object &&
                        header.TryGetProperty("key", out JsonElement key) && key.ValueKind == JsonValueKind.String &&
                        header.TryGetProperty("value", out JsonElement value) && value.ValueKind == JsonValueKind.String)
                    {
                        // Some clients list a header twice; AWS joins repeated values with a comma, identical repeats collapse.
                        string name = key.GetString()!;
                        string text = value.GetString()!;
                        map[name] = map.TryGetValue(name, out string? existing) && existing != text ? existing + "," + text : text;
                    }
                }

                string? body = root.TryGetProperty("body", out JsonElement b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
                return new SerializedAwsRequest(url.GetString()!, method.GetString()!.ToUpper(CultureInfo.InvariantCulture), map, body);
            }
            catch (Exception ex) when (ex is JsonException or UriFormatException)
            {
                return null;
            }
        }
    }
}
