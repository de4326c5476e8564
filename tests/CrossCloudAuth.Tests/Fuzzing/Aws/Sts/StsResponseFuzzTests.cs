using System.Globalization;
using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using CrossCloudAuth.Http;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Fuzzing.Aws.Sts;

/// <summary>AWS STS query-protocol XML responses and error bodies, through AWSSDK.SecurityToken and <c>StsErrors</c>.</summary>
public sealed class StsResponseFuzzTests
{
    private const string Secret = "fuzzSECRETstsKEY00000000000000000000000";
    private const string SessionToken = "fuzzSESSIONstsTOKEN0000000000000000000";
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    private const string WebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlZnV6eg";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] s_hostileText =
    [
        "", " ", "&amp;", "&lt;x&gt;", "&unknown;", "&#0;", "&#xD800;", "&#x110000;", "<![CDATA[x]]>", "<x/>", "</Credentials>", "<", "]]>",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "-1", "9223372036854775808", "1e309",
        "not a date", "2026-11-23T12:00:00", "2026-11-23T12:00:00+14:00", "\u0000", "\ud83d\ude00",
    ];

    private static readonly string[] s_errorCodes =
    [
        "AccessDenied", "ExpiredTokenException", "InvalidIdentityToken", "IDPRejectedClaim", "IDPCommunicationError", "RegionDisabledException",
        "MalformedPolicyDocument", "PackedPolicyTooLarge", "ValidationError", "Throttling", "InvalidClientTokenId", "SignatureDoesNotMatch", "", "Unknown",
    ];

    private static readonly Gen<string> s_valid =
        from key in Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"], 16, 16]
        from minutes in Gen.Int[16, 720]
        select Success("ASIA" + key, s_now.AddMinutes(minutes));

    private static readonly Gen<string> s_error =
        from code in Gen.OneOf(s_errorCodes)
        from message in Gen.OneOf(Gen.OneOf(s_hostileText), Gen.Int[0, 70_000].Select(n => new string('m', n)))
        from type in Gen.OneOf("Sender", "Receiver", "", "Other")
        select $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>";

    private static readonly Gen<(HttpStatusCode, byte[])> s_responses =
        from status in Gen.OneOf(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable, (HttpStatusCode)299, (HttpStatusCode)418)
        from body in Gen.Frequency(
            (1, Hostile.Bytes),
            (1, Hostile.Text.Select(Hostile.Utf8)),
            (4, MutatedXml(s_valid)),
            (3, MutatedXml(s_error)),
            (1, Gen.Const(() => Hostile.Utf8(BillionLaughs))))
        select (status, body);

    private const string BillionLaughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\"><!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        + "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\"><!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        + "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\"><!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">]>"
        + "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>&lol8;</Message></Error></ErrorResponse>";

    [Fact]
    public async Task AssumeRoleWithWebIdentity_HostileResponse_ThrowsOnlyTheLibrarysExceptions()
    {
        FixedResponseHandler http = new() { MediaType = "text/xml" };
        await Fuzz.CheckAsync(s_responses, async response =>
        {
            (http.Status, http.Body) = response;
            (bool ok, AwsCredentials? credentials) = await Expect.ParsesAsync(() => Create(http).GetAsync().AsTask(), [Secret, SessionToken, WebIdentityToken]);
            if (ok)
            {
                Assert.False(string.IsNullOrEmpty(credentials!.AccessKeyId));
                Assert.DoesNotContain(Secret, credentials.ToString(), StringComparison.Ordinal);
            }
        }, baseCount: 80, print: response => $"{(int)response.Item1} {Fuzz.Printable(response.Item2)}");
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ValidResponse_RoundTrips()
    {
        FixedResponseHandler http = new() { MediaType = "text/xml" };
        await Fuzz.CheckAsync(from key in Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"], 16, 16] from minutes in Gen.Int[16, 720] select (key, minutes), async input =>
        {
            http.Body = Hostile.Utf8(Success("ASIA" + input.key, s_now.AddMinutes(input.minutes)));

            AwsCredentials credentials = await Create(http).GetAsync();

            Assert.Equal("ASIA" + input.key, credentials.AccessKeyId);
            Assert.Equal(Secret, credentials.SecretAccessKey);
            Assert.Equal(SessionToken, credentials.SessionToken);
            Assert.Equal(s_now.AddMinutes(input.minutes), credentials.ExpiresOn);
        }, baseCount: 20);
    }

    private static WebIdentityCredentialSource Create(FixedResponseHandler http)
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/fuzz")
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", TokenFile)
            .Set("AWS_REGION", "us-east-1")
            .WithFile(TokenFile, WebIdentityToken);
        WebIdentityCredentialSourceOptions options = new();
        options.Sts.HttpClient = http.CreateClient();
        options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        return new WebIdentityCredentialSource(options, environment, new FakeTimeProvider(s_now));
    }

    /// <summary>Replaces one element's text with hostile text, or damages the document's bytes.</summary>
    private static Gen<byte[]> MutatedXml(Gen<string> valid) =>
        from xml in valid
        from pick in Gen.Int[0, int.MaxValue]
        from text in Gen.OneOf(Gen.OneOf(s_hostileText), Gen.Int[1_000, 70_000].Select(n => new string('x', n)))
        from cut in Gen.Double[0, 1]
        from kind in Gen.Int[0, 5]
        select kind switch
        {
            0 => Hostile.Utf8(xml[..(int)(cut * xml.Length)]),
            1 => [0xEF, 0xBB, 0xBF, .. Hostile.Utf8(xml)],
            2 => Hostile.Utf8(xml.Replace("<Credentials>", "<Credentials><Credentials>", StringComparison.Ordinal)),
            _ => Hostile.Utf8(ReplaceText(xml, pick, text)),
        };

    private static string ReplaceText(string xml, int pick, string text)
    {
        List<(int Start, int End)> texts = [];
        for (int i = xml.IndexOf('>', StringComparison.Ordinal); i >= 0 && i < xml.Length - 1; i = xml.IndexOf('>', i + 1))
        {
            int end = xml.IndexOf('<', i + 1);
            if (end > i + 1)
            {
                texts.Add((i + 1, end));
            }
        }

        if (texts.Count == 0)
        {
            return xml;
        }

        (int start, int stop) = texts[pick % texts.Count];
        return string.Concat(xml.AsSpan(0, start), text, xml.AsSpan(stop));
    }

    private static string Success(string keyId, DateTimeOffset expiration) =>
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>"
        + "<SubjectFromWebIdentityToken>system:serviceaccount:ns:sa</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>"
        + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/fuzz/s</Arn><AssumedRoleId>AROAFUZZ:s</AssumedRoleId></AssumedRoleUser>"
        + $"<Credentials><SessionToken>{SessionToken}</SessionToken><SecretAccessKey>{Secret}</SecretAccessKey>"
        + $"<Expiration>{expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</Expiration><AccessKeyId>{keyId}</AccessKeyId></Credentials>"
        + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
}
