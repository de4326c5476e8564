using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Google;

/// <summary>
/// Builds the <c>urn:ietf:params:aws:token-type:aws4_request</c> subject token that Google's Security Token Service
/// exchanges for a federated token: a SigV4-signed AWS STS <c>GetCallerIdentity</c> request, never sent to AWS by this
/// library, which Google replays to learn the caller's AWS identity.
/// </summary>
/// <remarks>
/// <para>The token is the URL-encoded JSON
/// <c>{"url":…,"method":"POST","headers":[{"key":…,"value":…},…]}</c>. Headers appear in one fixed order: <c>host</c>,
/// <c>x-amz-date</c>, <c>x-amz-security-token</c> (temporary credentials only), <c>x-goog-cloud-target-resource</c>
/// (the audience), then <c>Authorization</c>. Every header but <c>Authorization</c> is signed, including the target
/// resource (as Google's .NET, Go and Java libraries do), so a token minted for one provider cannot be replayed at
/// another. The body is empty; the signing service is <c>sts</c>.</para>
/// <para>The result is a secret for as long as AWS accepts the signature (15 minutes): never log it.</para>
/// <para>This type is a pure function of its inputs and is thread-safe.</para>
/// </remarks>
internal static class AwsSubjectToken
{
    /// <summary>The RFC 8693 token type of the subject token.</summary>
    public const string TokenType = "urn:ietf:params:aws:token-type:aws4_request";

    /// <summary>The default regional verification URL; <c>{region}</c> is replaced by the signing region.</summary>
    public const string DefaultRegionalCredentialVerificationUrl = VerificationUrl.DefaultTemplate;

    private static readonly JsonWriterOptions s_jsonOptions = new()
    {
        // Only JSON's own escapes: the token is URL-encoded afterwards and never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Creates a signed <c>aws4_request</c> subject token.</summary>
    /// <param name="credentials">The AWS credentials whose identity Google will see (for a role, the assumed role).</param>
    /// <param name="region">The AWS region whose STS endpoint is signed for, such as <c>us-east-2</c>.</param>
    /// <param name="audience">The workload identity provider's full resource name, such as
    /// <c>//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws</c>; sent and
    /// signed as <c>x-goog-cloud-target-resource</c>.</param>
    /// <param name="signedAt">The signing instant. Google accepts the token for 15 minutes after it.</param>
    /// <param name="regionalCredentialVerificationUrl">The URL to sign, with an optional <c>{region}</c> placeholder
    /// (the credential configuration's <c>regional_cred_verification_url</c>);
    /// <see cref="DefaultRegionalCredentialVerificationUrl"/> when <see langword="null"/>. It must be the regional STS
    /// endpoint of <paramref name="region"/>'s partition (or its FIPS endpoint) over https, or a loopback host (a local
    /// emulator), with the path <c>/</c> and the query <c>Action=GetCallerIdentity&amp;Version=2011-06-15</c> and nothing
    /// else: this library signs no other AWS request for Google. The default and gcloud's template follow the
    /// partition (<c>sts.cn-north-1.amazonaws.com.cn</c> in aws-cn).</param>
    /// <returns>The URL-encoded subject token, ready to send as <c>subject_token</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="region"/> is not a region name, <paramref name="audience"/> is
    /// empty, or the verification URL is not the partition's STS <c>GetCallerIdentity</c> endpoint.</exception>
    public static string Create(
        AwsCredentials credentials,
        string region,
        string audience,
        DateTimeOffset signedAt,
        string? regionalCredentialVerificationUrl = null) =>
        Create(credentials, region, audience, signedAt, regionalCredentialVerificationUrl, allowLoopback: true);

    /// <summary>Creates the token; <paramref name="allowLoopback"/> says whether the URL may name a loopback host (a
    /// local emulator), which a configuration file may only with the application's opt-in.</summary>
    internal static string Create(
        AwsCredentials credentials,
        string region,
        string audience,
        DateTimeOffset signedAt,
        string? regionalCredentialVerificationUrl,
        bool allowLoopback)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        AwsRegion.ThrowIfInvalid(region, nameof(region));
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        return Create(credentials, region, audience, signedAt, VerificationUrl.Resolve(regionalCredentialVerificationUrl, region, allowLoopback));
    }

    /// <summary>Signs a verification URL that <see cref="VerificationUrl.Resolve"/> has already checked for
    /// <paramref name="region"/>.</summary>
    internal static string Create(AwsCredentials credentials, string region, string audience, DateTimeOffset signedAt, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        string url = uri.OriginalString;

        string host = uri.Authority;
        string amzDate = SigV4Signer.FormatAmzDate(signedAt);
        string? sessionToken = credentials.SessionToken;

        KeyValuePair<string, string>[] signed = sessionToken is null
            ?
            [
                new("host", host),
                new("x-amz-date", amzDate),
                new("x-goog-cloud-target-resource", audience),
            ]
            :
            [
                new("host", host),
                new("x-amz-date", amzDate),
                new("x-amz-security-token", sessionToken),
                new("x-goog-cloud-target-resource", audience),
            ];

        SigV4Signature signature = SigV4Signer.Sign(
            "POST",
            uri,
            signed,
            SigV4Signer.EmptyPayloadHash,
            credentials.AccessKeyId,
            credentials.SecretAccessKey,
            region,
            "sts",
            signedAt);

        ArrayBufferWriter<byte> buffer = new(1024 + (sessionToken?.Length ?? 0));
        using (Utf8JsonWriter writer = new(buffer, s_jsonOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("url"u8, url);
            writer.WriteString("method"u8, "POST"u8);
            writer.WriteStartArray("headers"u8);
            foreach (KeyValuePair<string, string> header in signed)
            {
                WriteHeader(writer, header.Key, header.Value);
            }

            WriteHeader(writer, "Authorization", signature.Authorization);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return PercentEncode(buffer);
    }

    /// <summary>RFC 3986 percent-encoding of UTF-8 bytes (everything but <c>A-Z a-z 0-9 - _ . ~</c>), as
    /// <see cref="Uri.EscapeDataString(string)"/> does, without the intermediate string.</summary>
    private static string PercentEncode(ArrayBufferWriter<byte> utf8)
    {
        int length = 0;
        foreach (byte b in utf8.WrittenSpan)
        {
            length += IsUnreserved(b) ? 1 : 3;
        }

        return string.Create(length, utf8, static (chars, bytes) =>
        {
            int i = 0;
            foreach (byte b in bytes.WrittenSpan)
            {
                if (IsUnreserved(b))
                {
                    chars[i++] = (char)b;
                }
                else
                {
                    chars[i++] = '%';
                    chars[i++] = "0123456789ABCDEF"[b >> 4];
                    chars[i++] = "0123456789ABCDEF"[b & 0xF];
                }
            }
        });
    }

    private static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~';

    private static void WriteHeader(Utf8JsonWriter writer, string key, string value)
    {
        writer.WriteStartObject();
        writer.WriteString("key"u8, key);
        writer.WriteString("value"u8, value);
        writer.WriteEndObject();
    }
}
