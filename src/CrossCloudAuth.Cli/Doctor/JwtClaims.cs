using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CrossCloudAuth.Cli.Doctor;

/// <summary>The non-secret claims of a JWT, decoded for display only (the signature is neither shown nor checked).</summary>
internal sealed record JwtClaims(string? Issuer, string? Subject, string Audience, DateTimeOffset? IssuedAt, DateTimeOffset? ExpiresOn, string? Namespace)
{
    /// <summary>Decodes a JWT's payload, or returns <see langword="null"/> when the text is not a JWT.</summary>
    /// <param name="jwt">The token.</param>
    /// <returns>The claims, or <see langword="null"/>.</returns>
    public static JwtClaims? TryRead(string? jwt)
    {
        string[] parts = (jwt ?? string.Empty).Trim().Split('.');
        if (parts.Length != 3 || parts[1].Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            string payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using JsonDocument json = JsonDocument.Parse(Convert.FromBase64String(payload));
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? Text(string name) => root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            DateTimeOffset? Time(string name) => root.TryGetProperty(name, out JsonElement e) && e.TryGetInt64(out long s) && s is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
            string audience = root.TryGetProperty("aud", out JsonElement a)
                ? a.ValueKind == JsonValueKind.Array ? string.Join(',', a.EnumerateArray().Select(x => x.ToString())) : a.ToString()
                : "(none)";
            string? ns = root.TryGetProperty("kubernetes.io", out JsonElement k) && k.ValueKind == JsonValueKind.Object && k.TryGetProperty("namespace", out JsonElement n) ? n.GetString() : null;
            return new JwtClaims(Text("iss"), Text("sub"), audience, Time("iat"), Time("exp"), ns);
        }
        catch (Exception e) when (e is FormatException or JsonException or DecoderFallbackException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Formats the claims on one line.</summary>
    /// <returns>The line.</returns>
    public override string ToString() =>
        $"iss={Issuer ?? "(none)"}, sub={Subject ?? "(none)"}, aud={Audience}, exp={Format(ExpiresOn)}";

    /// <summary>Formats an instant for display.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The text.</returns>
    public static string Format(DateTimeOffset? instant) =>
        instant is { } i ? i.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "(none)";
}
