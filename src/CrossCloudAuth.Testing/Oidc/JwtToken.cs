using System.Globalization;
using System.Text.Json;

namespace CrossCloudAuth.Testing.Oidc;

/// <summary>A compact JWS split into its parts, claims parsed, nothing verified yet.</summary>
internal sealed class JwtToken
{
    private JwtToken(JsonElement header, JsonElement payload, string signingInput, byte[] signature)
    {
        Header = header;
        Payload = payload;
        SigningInput = signingInput;
        Signature = signature;
    }

    public JsonElement Header { get; }

    public JsonElement Payload { get; }

    public string SigningInput { get; }

    public byte[] Signature { get; }

    public string? Algorithm => StringHeader("alg");

    public string? KeyId => StringHeader("kid");

    public string? Issuer => StringClaim("iss");

    public string? Subject => StringClaim("sub");

    /// <summary>Gets the audiences: <c>aud</c> may be a string or an array (Kubernetes uses an array).</summary>
    public IReadOnlyList<string> Audiences => Payload.TryGetProperty("aud", out JsonElement aud)
        ? aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => [.. aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)],
            _ => [],
        }
        : [];

    public long? ExpiresAt => NumericClaim("exp");

    public long? NotBefore => NumericClaim("nbf");

    public long? IssuedAt => NumericClaim("iat");

    public static bool TryParse(string token, out JwtToken? jwt)
    {
        jwt = null;
        if (token.Length > 16 * 1024)
        {
            return false;
        }

        string[] parts = token.Trim().Split('.');
        if (parts.Length != 3 ||
            !Base64Url.TryDecode(parts[0], out byte[] header) ||
            !Base64Url.TryDecode(parts[1], out byte[] payload) ||
            !Base64Url.TryDecode(parts[2], out byte[] signature))
        {
            return false;
        }

        try
        {
            using JsonDocument h = JsonDocument.Parse(header);
            using JsonDocument p = JsonDocument.Parse(payload);
            if (h.RootElement.ValueKind != JsonValueKind.Object || p.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            jwt = new JwtToken(h.RootElement.Clone(), p.RootElement.Clone(), parts[0] + "." + parts[1], signature);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public string? StringClaim(string name) =>
        Payload.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private string? StringHeader(string name) =>
        Header.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private long? NumericClaim(string name) =>
        Payload.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d)
            ? (long)d
            : null;

    public static string FormatUnix(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);
}
