using System.Text.Json;

namespace CrossCloudAuth.Testing.Oidc;

/// <summary>Why a JWT failed verification, so each service can word the rejection its own way.</summary>
internal enum JwtFailure
{
    None,
    Malformed,
    UnsupportedAlgorithm,
    UnknownIssuer,
    KeysUnavailable,
    UnknownKey,
    BadSignature,
    MissingExpiry,
    Expired,
    NotYetValid,
}

internal sealed record JwtVerification(JwtFailure Failure, JwtToken? Token, string Detail = "")
{
    public bool IsValid => Failure == JwtFailure.None;
}

/// <summary>
/// Verifies RS256 JWTs the way a relying party does: fetches the issuer's discovery document and JWKS over
/// HTTP (from the emulator's own OIDC endpoint), checks the signature with the published key, then
/// <c>exp</c> / <c>nbf</c> / <c>iat</c> against the emulator clock with a skew allowance. Audience and
/// subject policy are the caller's job.
/// </summary>
internal sealed class JwtVerifier(HttpClient http, TimeProvider clock, TimeSpan clockSkew, Func<string, bool> isServedIssuer)
{
    private const int MaxDocumentBytes = 64 * 1024;

    public TimeSpan ClockSkew => clockSkew;

    public async Task<JwtVerification> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        if (!JwtToken.TryParse(token, out JwtToken? jwt) || jwt is null)
        {
            return new(JwtFailure.Malformed, null, "The token is not a compact JWS with JSON header and claims.");
        }

        if (jwt.Algorithm != "RS256")
        {
            return new(JwtFailure.UnsupportedAlgorithm, jwt, $"Unsupported alg '{jwt.Algorithm}'.");
        }

        string? issuer = jwt.Issuer;
        if (string.IsNullOrEmpty(issuer) || !isServedIssuer(issuer))
        {
            return new(JwtFailure.UnknownIssuer, jwt, $"Unknown issuer '{issuer}'.");
        }

        JsonElement[]? keys = await FetchKeysAsync(issuer, cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            return new(JwtFailure.KeysUnavailable, jwt, $"Could not fetch the JWKS of '{issuer}'.");
        }

        JsonElement[] candidates = [.. keys.Where(k => jwt.KeyId is null || (k.TryGetProperty("kid", out JsonElement kid) && kid.GetString() == jwt.KeyId))];
        if (candidates.Length == 0)
        {
            return new(JwtFailure.UnknownKey, jwt, $"No key '{jwt.KeyId}' in the JWKS of '{issuer}'.");
        }

        if (!candidates.Any(k => SigningKey.Verify(k, jwt.SigningInput, jwt.Signature)))
        {
            return new(JwtFailure.BadSignature, jwt, "The signature does not verify with the issuer's published key.");
        }

        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        long skew = (long)clockSkew.TotalSeconds;
        if (jwt.ExpiresAt is not { } exp)
        {
            return new(JwtFailure.MissingExpiry, jwt, "The token has no exp claim.");
        }

        if (now > exp + skew)
        {
            return new(JwtFailure.Expired, jwt, $"Expired at {exp}, now {now}.");
        }

        if ((jwt.NotBefore is { } nbf && now + skew < nbf) || (jwt.IssuedAt is { } iat && now + skew < iat))
        {
            return new(JwtFailure.NotYetValid, jwt, $"Not valid before {jwt.NotBefore ?? jwt.IssuedAt}, now {now}.");
        }

        return new(JwtFailure.None, jwt);
    }

    private async Task<JsonElement[]?> FetchKeysAsync(string issuer, CancellationToken cancellationToken)
    {
        try
        {
            using JsonDocument? discovery = await GetJsonAsync(new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration"), cancellationToken).ConfigureAwait(false);
            if (discovery is null ||
                !discovery.RootElement.TryGetProperty("issuer", out JsonElement iss) || iss.GetString() != issuer ||
                !discovery.RootElement.TryGetProperty("jwks_uri", out JsonElement jwksUri) ||
                !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out Uri? jwks))
            {
                return null;
            }

            using JsonDocument? keySet = await GetJsonAsync(jwks, cancellationToken).ConfigureAwait(false);
            return keySet is not null && keySet.RootElement.TryGetProperty("keys", out JsonElement keys) && keys.ValueKind == JsonValueKind.Array
                ? [.. keys.EnumerateArray().Select(k => k.Clone())]
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<JsonDocument?> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxDocumentBytes)
        {
            return null;
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return body.Length > MaxDocumentBytes ? null : JsonDocument.Parse(body);
    }
}
