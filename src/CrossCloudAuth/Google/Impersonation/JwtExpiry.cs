using System.Buffers.Text;
using System.Text.Json;

namespace CrossCloudAuth.Google;

/// <summary>Reads the <c>exp</c> claim of a JWT without validating it (the issuer is trusted: it just answered).</summary>
internal static class JwtExpiry
{
    public static bool TryRead(string jwt, out DateTimeOffset expiresOn)
    {
        expiresOn = default;
        string[] parts = jwt.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[1].Length > 64 * 1024)
        {
            return false;
        }

        byte[] payload = new byte[Base64Url.GetMaxDecodedLength(parts[1].Length)];
        if (Base64Url.DecodeFromChars(parts[1], payload, out _, out int written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        try
        {
            JwtPayload? claims = JsonSerializer.Deserialize(payload.AsSpan(0, written), IamJsonContext.Default.JwtPayload);
            if (claims?.Exp is not long exp || exp <= 0 || exp > 253402300799)
            {
                return false;
            }

            expiresOn = DateTimeOffset.FromUnixTimeSeconds(exp);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
