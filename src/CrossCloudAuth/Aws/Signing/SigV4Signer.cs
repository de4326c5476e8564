using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) header signing, written for the one request shape this library
/// signs itself: the <c>aws4_request</c> subject token, whose exact header set Google's STS replays.
/// </summary>
/// <remarks>
/// AWSSDK.Core's <c>Amazon.Runtime.Signing.AWSSigV4Signer</c> always adds and signs <c>x-amz-content-sha256</c>, which
/// Google's subject-token format does not carry, and reads credentials through an <c>AWSCredentials</c> object; so the
/// subject token is signed here. Known-answer tests check this against AWS's SigV4 test suite and Google's published
/// examples, and a cross-check test compares it with AWSSDK.Core's signer for the same request and time.
/// Canonicalization follows the rules for every service but S3 (path segments decoded then encoded once, dot segments
/// removed by <see cref="Uri"/>).
/// </remarks>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of the empty payload, in lower-case hex.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Formats an instant as SigV4's <c>x-amz-date</c> (<c>yyyyMMdd'T'HHmmss'Z'</c>, UTC).</summary>
    public static string FormatAmzDate(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Signs a request whose headers the caller has already assembled (including <c>host</c> and either
    /// <c>x-amz-date</c> or <c>date</c>); every header given is signed.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The absolute request URI.</param>
    /// <param name="headers">The headers to sign, any case and order; repeated names are joined with commas.</param>
    /// <param name="payloadHash">The lower-case hex SHA-256 of the body.</param>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="region">The signing region.</param>
    /// <param name="service">The signing service name.</param>
    /// <param name="signedAt">The signing instant (its UTC date forms the credential scope).</param>
    /// <returns>The signature and the <c>Authorization</c> header value.</returns>
    public static SigV4Signature Sign(
        string method,
        Uri uri,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        string accessKeyId,
        string secretAccessKey,
        string region,
        string service,
        DateTimeOffset signedAt)
    {
        List<KeyValuePair<string, string>> canonical = CanonicalizeHeaders(headers);
        string signedHeaders = JoinNames(canonical);
        string canonicalPath = CanonicalPath(uri);
        string canonicalQuery = CanonicalQuery(uri.Query);

        // The canonical request is only hashed: build it once, hash its UTF-8 bytes from a pooled buffer.
        StringBuilder builder = new(256 + canonicalPath.Length + canonicalQuery.Length + (signedHeaders.Length * 2) + SumLengths(canonical));
        builder.Append(method.ToUpperInvariant()).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (KeyValuePair<string, string> header in canonical)
        {
            builder.Append(header.Key).Append(':').Append(header.Value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        string canonicalRequestHash = HexSha256(builder);

        string amzDate = FormatAmzDate(signedAt);
        string dateStamp = amzDate[..8];
        string scope = string.Concat(dateStamp, "/", region, "/", service, "/aws4_request");
        string stringToSign = string.Concat(Algorithm, "\n", amzDate, "\n", scope, "\n", canonicalRequestHash);

        string signature = ComputeSignature(secretAccessKey, dateStamp, region, service, stringToSign);
        string authorization = string.Concat(
            Algorithm, " Credential=", accessKeyId, "/", scope, ", SignedHeaders=", signedHeaders, ", Signature=", signature);
        return new SigV4Signature(signature, signedHeaders, authorization);
    }

    /// <summary>Builds the canonical path: dot segments removed, each segment decoded then RFC 3986-encoded once.</summary>
    public static string CanonicalPath(Uri uri)
    {
        string path = uri.AbsolutePath;
        if (path.Length == 0 || path == "/")
        {
            return "/";
        }

        string[] segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = Uri.EscapeDataString(Uri.UnescapeDataString(segments[i]));
        }

        return string.Join('/', segments);
    }

    /// <summary>Builds the canonical query: parameters decoded, RFC 3986-encoded, sorted by name then value.</summary>
    public static string CanonicalQuery(string query)
    {
        ReadOnlySpan<char> raw = query.AsSpan();
        if (raw.StartsWith("?"))
        {
            raw = raw[1..];
        }

        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        List<(string Name, string Value)> parameters = [];
        foreach (Range range in raw.Split('&'))
        {
            ReadOnlySpan<char> pair = raw[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            int equals = pair.IndexOf('=');
            string name = equals < 0 ? pair.ToString() : pair[..equals].ToString();
            string value = equals < 0 ? string.Empty : pair[(equals + 1)..].ToString();
            parameters.Add((Uri.EscapeDataString(Uri.UnescapeDataString(name)), Uri.EscapeDataString(Uri.UnescapeDataString(value))));
        }

        parameters.Sort(static (a, b) =>
        {
            int byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });

        StringBuilder builder = new();
        foreach ((string name, string value) in parameters)
        {
            if (builder.Length > 0)
            {
                builder.Append('&');
            }

            builder.Append(name).Append('=').Append(value);
        }

        return builder.ToString();
    }

    /// <summary>Computes the final signature: HMAC chain <c>AWS4+secret → date → region → service → aws4_request</c>,
    /// then HMAC of the string to sign, in lower-case hex.</summary>
    public static string ComputeSignature(string secretAccessKey, string dateStamp, string region, string service, string stringToSign)
    {
        Span<byte> key = stackalloc byte[HMACSHA256.HashSizeInBytes];
        byte[] secret = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        try
        {
            HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(dateStamp), key);
            HmacInPlace(key, region);
            HmacInPlace(key, service);
            HmacInPlace(key, "aws4_request");
            HmacInPlace(key, stringToSign);
            return Convert.ToHexStringLower(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a UTF-8 string.</summary>
    public static string HexSha256(string value) => HexSha256(Encoding.UTF8.GetBytes(value));

    /// <summary>Lower-case hex SHA-256 of bytes (a request body).</summary>
    public static string HexSha256(ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(value, hash);
        return Convert.ToHexStringLower(hash);
    }

    private static void HmacInPlace(Span<byte> key, string data)
    {
        Span<byte> next = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data), next);
        next.CopyTo(key);
        next.Clear();
    }

    private static List<KeyValuePair<string, string>> CanonicalizeHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        List<KeyValuePair<string, string>> canonical = [];
        foreach (KeyValuePair<string, string> header in headers)
        {
            canonical.Add(new(header.Key.Trim().ToLowerInvariant(), CollapseSpaces(header.Value)));
        }

        // Stable by name, so repeated names keep their order when joined with commas.
        KeyValuePair<string, string>[] sorted = [.. canonical.OrderBy(h => h.Key, StringComparer.Ordinal)];
        canonical.Clear();
        foreach (KeyValuePair<string, string> header in sorted)
        {
            if (canonical.Count > 0 && canonical[^1].Key == header.Key)
            {
                canonical[^1] = new(header.Key, canonical[^1].Value + "," + header.Value);
            }
            else
            {
                canonical.Add(header);
            }
        }

        return canonical;
    }

    private static string JoinNames(List<KeyValuePair<string, string>> canonical)
    {
        StringBuilder names = new(canonical.Count * 16);
        foreach (KeyValuePair<string, string> header in canonical)
        {
            if (names.Length > 0)
            {
                names.Append(';');
            }

            names.Append(header.Key);
        }

        return names.ToString();
    }

    private static int SumLengths(List<KeyValuePair<string, string>> canonical)
    {
        int total = 0;
        foreach (KeyValuePair<string, string> header in canonical)
        {
            total += header.Key.Length + header.Value.Length + 2;
        }

        return total;
    }

    private static string HexSha256(StringBuilder text)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            foreach (ReadOnlyMemory<char> chunk in text.GetChunks())
            {
                ReadOnlySpan<char> remaining = chunk.Span;
                while (!remaining.IsEmpty)
                {
                    // Split on char boundaries that never cut a surrogate pair: 256 chars fit 1,024 bytes of UTF-8.
                    int take = Math.Min(remaining.Length, 256);
                    if (take < remaining.Length && char.IsHighSurrogate(remaining[take - 1]))
                    {
                        take--;
                    }

                    int written = Encoding.UTF8.GetBytes(remaining[..take], buffer);
                    hash.AppendData(buffer, 0, written);
                    remaining = remaining[take..];
                }
            }

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            hash.GetHashAndReset(digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string CollapseSpaces(string value)
    {
        ReadOnlySpan<char> trimmed = value.AsSpan().Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed.Length == value.Length ? value : trimmed.ToString();
        }

        StringBuilder builder = new(trimmed.Length);
        bool previousSpace = false;
        foreach (char c in trimmed)
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }
}

/// <summary>The outcome of signing one request.</summary>
/// <param name="Signature">The hex signature. A secret-equivalent for the request's lifetime: never log it.</param>
/// <param name="SignedHeaders">The <c>;</c>-separated signed header names.</param>
/// <param name="Authorization">The <c>Authorization</c> header value.</param>
internal readonly record struct SigV4Signature(string Signature, string SignedHeaders, string Authorization);
