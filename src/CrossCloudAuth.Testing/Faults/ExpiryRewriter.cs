using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Faults;

/// <summary>
/// Applies <see cref="FaultKind.TokenLifetime"/> and <see cref="FaultKind.MissingExpiry"/> to a successful answer:
/// finds the credential's expiry in whichever form the service uses and rewrites or removes it.
/// </summary>
internal static partial class ExpiryRewriter
{
    /// <summary>Returns <paramref name="body"/> with its expiry rewritten, or unchanged when it carries none.</summary>
    public static byte[] Rewrite(byte[] body, string contentType, Fault fault, DateTimeOffset now)
    {
        bool remove = fault.Kind == FaultKind.MissingExpiry;
        DateTimeOffset expiresAt = Add(now, fault.Duration);
        if (contentType.Contains("xml", StringComparison.OrdinalIgnoreCase))
        {
            string xml = Encoding.UTF8.GetString(body);
            string rewritten = XmlExpiration().Replace(xml, remove ? string.Empty : $"<Expiration>{StsXml.FormatTime(expiresAt)}</Expiration>");
            return Encoding.UTF8.GetBytes(rewritten);
        }

        // Instance metadata sends its JSON documents as text/plain, so the body decides, not the content type.
        if (ParseObject(body) is not JsonObject json)
        {
            return body;
        }

        Replace(json, "expires_in", remove ? null : JsonValue.Create(Seconds(fault.Duration)));
        Replace(json, "expireTime", remove ? null : JsonValue.Create(StsXml.FormatTime(expiresAt)));
        Replace(json, "Expiration", remove ? null : JsonValue.Create(StsXml.FormatTime(expiresAt)));
        if (json["token"] is JsonValue token && token.TryGetValue(out string? jwt) && RewriteJwt(jwt, remove ? null : expiresAt) is { } rewrittenJwt)
        {
            json["token"] = rewrittenJwt;
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static JsonObject? ParseObject(byte[] body)
    {
        if (body.AsSpan().TrimStart(" \t\r\n"u8) is not [(byte)'{', ..])
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void Replace(JsonObject json, string name, JsonNode? value)
    {
        if (!json.ContainsKey(name))
        {
            return;
        }

        if (value is null)
        {
            json.Remove(name);
        }
        else
        {
            json[name] = value;
        }
    }

    /// <summary>Rewrites (or removes) a JWT's <c>exp</c> claim, keeping header and signature as they were.</summary>
    private static string? RewriteJwt(string jwt, DateTimeOffset? expiresAt)
    {
        string[] parts = jwt.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[1], out byte[] payload) || JsonNode.Parse(payload) is not JsonObject claims)
        {
            return null;
        }

        if (expiresAt is { } at)
        {
            claims["exp"] = at.ToUnixTimeSeconds();
        }
        else
        {
            claims.Remove("exp");
        }

        return $"{parts[0]}.{Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
    }

    private static long Seconds(TimeSpan lifetime) => (long)Math.Floor(lifetime.TotalSeconds);

    /// <summary>Adds a lifetime to a time, clamped to the representable range (a huge lifetime lands in the year 9999).</summary>
    private static DateTimeOffset Add(DateTimeOffset now, TimeSpan lifetime)
    {
        if (lifetime > TimeSpan.Zero && lifetime > DateTimeOffset.MaxValue - now)
        {
            return DateTimeOffset.MaxValue;
        }

        if (lifetime < TimeSpan.Zero && now - DateTimeOffset.MinValue < lifetime.Duration())
        {
            return DateTimeOffset.MinValue;
        }

        return now + lifetime;
    }

    [GeneratedRegex("<Expiration>[^<]*</Expiration>")]
    private static partial Regex XmlExpiration();
}
