using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CrossCloudAuth.Testing.Aws.Iam;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Aws.Signing;

internal sealed record SigV4Result(AwsKey? Caller, StsError? Error, string? Region = null, bool Presigned = false);

/// <summary>
/// Verifies AWS Signature Version 4 from first principles, independently of any SDK signer: rebuilds the
/// canonical request (method, URI-encoded path, sorted RFC 3986 query, signed headers, payload hash), the
/// string to sign and the HMAC signing-key chain, compares in constant time, and enforces the key's
/// existence, its session token, its expiry and the request-time window (AWS STS allows 15 minutes).
/// Accepts the <c>Authorization</c> header form and presigned query strings (<c>X-Amz-Algorithm</c>…,
/// as EKS bearer tokens use, with <c>x-k8s-aws-id</c> among the signed headers).
/// </summary>
internal sealed class SigV4Verifier(AwsIdentityStore store, TimeProvider clock, TimeSpan allowedSkew, string service)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public SigV4Result Verify(EmulatorRequest request)
    {
        string? authorization = request.Header("authorization");
        bool presigned = request.Query["X-Amz-Algorithm"] is not null;
        SignatureParts parts;
        if (presigned)
        {
            if (request.Query["X-Amz-Algorithm"] != Algorithm)
            {
                return Fail(StsError.IncompleteSignature($"X-Amz-Algorithm only supports \"{Algorithm}\""));
            }

            var missing = new List<string>();
            foreach (string name in new[] { "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date" })
            {
                if (string.IsNullOrEmpty(request.Query[name]))
                {
                    missing.Add(name);
                }
            }

            if (missing.Count > 0)
            {
                return Fail(new StsError(System.Net.HttpStatusCode.BadRequest, "AuthorizationQueryParametersError",
                    $"Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters. Missing: {string.Join(", ", missing)}."));
            }

            parts = new SignatureParts(request.Query["X-Amz-Credential"]!, request.Query["X-Amz-SignedHeaders"]!, request.Query["X-Amz-Signature"]!, request.Query["X-Amz-Date"]!);
        }
        else if (authorization is null)
        {
            return Fail(StsError.MissingAuthenticationToken());
        }
        else if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Fail(StsError.IncompleteSignature($"Authorization header requires '{Algorithm}' as its scheme."));
        }
        else
        {
            SignatureParts? parsed = ParseAuthorization(authorization[(Algorithm.Length + 1)..], request, out StsError? error);
            if (parsed is null)
            {
                return Fail(error!);
            }

            parts = parsed;
        }

        string[] scope = parts.Credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return Fail(StsError.IncompleteSignature($"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{parts.Credential}'"));
        }

        (string accessKeyId, string scopeDate, string region, string scopeService) = (scope[0], scope[1], scope[2], scope[3]);
        if (!DateTimeOffset.TryParseExact(parts.AmzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset signedAt))
        {
            return Fail(StsError.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{parts.AmzDate}'. See http://en.wikipedia.org/wiki/ISO_8601"));
        }

        AwsKey? key = store.FindKey(accessKeyId);
        if (key is null)
        {
            return Fail(StsError.InvalidClientTokenId());
        }

        if (key.SessionToken is not null)
        {
            string? token = presigned ? request.Query["X-Amz-Security-Token"] : request.Header("x-amz-security-token");
            if (token is null || !FixedTimeEquals(token, key.SessionToken))
            {
                return Fail(StsError.InvalidClientTokenId());
            }
        }

        DateTimeOffset now = clock.GetUtcNow();
        if (key.Expiration is { } expiration && now >= expiration)
        {
            return Fail(StsError.ExpiredToken());
        }

        string minutes = ((int)allowedSkew.TotalMinutes).ToString(CultureInfo.InvariantCulture);
        if (presigned && now > signedAt + allowedSkew)
        {
            return Fail(new StsError(System.Net.HttpStatusCode.Forbidden, "RequestExpired", $"Request has expired. Signed at {Format(signedAt)}, now {Format(now)} (valid for {minutes} min.)."));
        }

        if (signedAt < now - allowedSkew)
        {
            return Fail(StsError.SignatureDoesNotMatch($"Signature expired: {Format(signedAt)} is now earlier than {Format(now - allowedSkew)} ({Format(now)} - {minutes} min.)"));
        }

        if (signedAt > now + allowedSkew)
        {
            return Fail(StsError.SignatureDoesNotMatch($"Signature not yet current: {Format(signedAt)} is still later than {Format(now + allowedSkew)} ({Format(now)} + {minutes} min.)"));
        }

        if (scopeDate != signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
        {
            return Fail(StsError.SignatureDoesNotMatch($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{signedAt:yyyyMMdd}', from '{Format(signedAt)}'."));
        }

        if (scopeService != service && scopeService != LoopbackServiceName(request))
        {
            return Fail(StsError.SignatureDoesNotMatch($"Credential should be scoped to correct service: '{service}'. "));
        }

        if (region.Length == 0)
        {
            return Fail(StsError.SignatureDoesNotMatch("Credential should be scoped to a valid region. "));
        }

        string[] signedHeaders = parts.SignedHeaders.Split(';');
        if (!signedHeaders.Contains("host"))
        {
            return Fail(StsError.IncompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."));
        }

        string credentialScope = $"{scopeDate}/{region}/{scopeService}/aws4_request";
        byte[] signingKey = SigningKey(key.SecretAccessKey, scopeDate, region, scopeService);
        foreach (string payloadHash in PayloadHashes(request, presigned))
        {
            string canonical = CanonicalRequest(request, signedHeaders, payloadHash, presigned);
            string stringToSign = $"{Algorithm}\n{parts.AmzDate}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            string expected = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
            if (FixedTimeEquals(expected, parts.Signature.ToLowerInvariant()))
            {
                return new SigV4Result(key, null, region, presigned);
            }
        }

        return Fail(StsError.SignatureDoesNotMatch());
    }

    internal static string CanonicalRequest(EmulatorRequest request, IReadOnlyList<string> signedHeaders, string payloadHash, bool presigned)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalPath(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery, presigned)).Append('\n');
        foreach (string name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request.Header(name) ?? string.Empty)).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8.ToArray());
    }

    internal static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Google's auth libraries derive the SigV4 service name from the first label of the STS host
    /// (<c>sts.us-east-1.amazonaws.com</c> → <c>sts</c>); pointed at the emulator's loopback address they sign
    /// with <c>127</c> or <c>localhost</c>. That label is accepted for loopback hosts only; the signature is still
    /// verified in full with it.
    /// </summary>
    private static string? LoopbackServiceName(EmulatorRequest request)
    {
        string? host = request.Header("host");
        if (host is null || !Uri.TryCreate("http://" + host, UriKind.Absolute, out Uri? uri) || !uri.IsLoopback)
        {
            return null;
        }

        return uri.Host.Split('.')[0];
    }

    private static IEnumerable<string> PayloadHashes(EmulatorRequest request, bool presigned)
    {
        string actual = Hex(SHA256.HashData(request.Body));
        string? declared = request.Header("x-amz-content-sha256");
        if (declared is not null)
        {
            // A declared payload hash is signed as-is, but must also be the body's real hash.
            if (declared == actual || declared == UnsignedPayload)
            {
                yield return declared;
            }

            yield break;
        }

        yield return actual;
        if (presigned)
        {
            // botocore presigns with UNSIGNED-PAYLOAD, the Go SDKs with the empty body's hash: accept both.
            yield return UnsignedPayload;
        }
    }

    private static string CanonicalPath(string rawPath)
    {
        if (rawPath.Length == 0 || rawPath == "/")
        {
            return "/";
        }

        return string.Join('/', rawPath.Split('/').Select(segment => UriEncode(Uri.UnescapeDataString(segment))));
    }

    private static string CanonicalQuery(string rawQuery, bool presigned)
    {
        var pairs = new List<(string Key, string Value)>();
        foreach (string pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (presigned && name == "X-Amz-Signature")
            {
                continue;
            }

            pairs.Add((UriEncode(name), UriEncode(value)));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
    }

    private static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        bool space = false;
        foreach (char c in value.Trim())
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static SignatureParts? ParseAuthorization(string parameters, EmulatorRequest request, out StsError? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string component in parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = component.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                error = StsError.IncompleteSignature($"'{component}' not a valid key=value pair (missing equal-sign) in Authorization header.");
                return null;
            }

            values[component[..eq]] = component[(eq + 1)..];
        }

        var problems = new StringBuilder();
        foreach (string name in new[] { "Credential", "Signature", "SignedHeaders" })
        {
            if (!values.ContainsKey(name))
            {
                problems.Append(CultureInfo.InvariantCulture, $"Authorization header requires '{name}' parameter. ");
            }
        }

        string? date = request.Header("x-amz-date");
        if (date is null)
        {
            problems.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        }

        if (problems.Length > 0)
        {
            error = StsError.IncompleteSignature(problems.ToString().TrimEnd());
            return null;
        }

        error = null;
        return new SignatureParts(values["Credential"], values["SignedHeaders"], values["Signature"], date!);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static SigV4Result Fail(StsError error) => new(null, error);

    private sealed record SignatureParts(string Credential, string SignedHeaders, string Signature, string AmzDate);
}
