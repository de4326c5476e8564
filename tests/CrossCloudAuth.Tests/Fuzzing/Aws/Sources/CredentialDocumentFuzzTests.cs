using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Aws;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Aws.Sources;

/// <summary>The credential document served by instance metadata and container credential endpoints.</summary>
public sealed class CredentialDocumentFuzzTests
{
    private const string Secret = "fuzzSECRETaccessKEY0000000000000000000000";
    private const string SessionToken = "fuzzSESSIONtokenVALUE000000000000000000";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<JsonObject> s_valid =
        from key in Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"], 16, 16]
        from minutes in Gen.Int[1, 60 * 24 * 7]
        from withToken in Gen.Bool
        from withCode in Gen.Bool
        select Document("ASIA" + key, s_now.AddMinutes(minutes), withToken, withCode);

    [Fact]
    public void Parse_HostileDocument_ThrowsOnlyAuthenticationFailedException() =>
        Fuzz.Check(Hostile.Documents(s_valid), bytes =>
        {
            string json = Encoding.UTF8.GetString(bytes);
            if (!Expect.Parses(() => Parse(json), bytes.Length, out AwsCredentials? credentials, [Secret, SessionToken]))
            {
                Assert.ThrowsAny<CredentialRequestFailedException>(() => Parse(json));
                return;
            }

            Assert.True(credentials!.ExpiresOn > s_now);
            Assert.DoesNotContain(Secret, credentials.ToString(), StringComparison.Ordinal);
        }, baseCount: 500, print: bytes => Fuzz.Printable(bytes));

    [Fact]
    public void Parse_ValidDocument_RoundTrips() =>
        Fuzz.Check(s_valid, document =>
        {
            AwsCredentials credentials = Parse(document.ToJsonString());

            Assert.Equal((string)document["AccessKeyId"]!, credentials.AccessKeyId);
            Assert.Equal(Secret, credentials.SecretAccessKey);
            Assert.Equal((string?)document["Token"], credentials.SessionToken);
            Assert.Equal(DateTimeOffset.Parse((string)document["Expiration"]!, CultureInfo.InvariantCulture), credentials.ExpiresOn);
        }, baseCount: 100, print: document => document.ToJsonString());

    [Fact]
    public void Parse_HugeFailureMessage_QuotesABoundedPart()
    {
        string json = $$"""{"Code":"{{new string('E', 50_000)}}","Message":"{{new string('m', 50_000)}}"}""";

        CredentialRequestFailedException error = Assert.Throws<CredentialRequestFailedException>(() => Parse(json));

        Assert.True(error.Message.Length < Expect.MaxMessageChars, $"{error.Message.Length} characters");
        Assert.Contains("EEEE", error.Message, StringComparison.Ordinal);
    }

    private static AwsCredentials Parse(string json) => CredentialDocument.Parse(json, "imds:credentials", s_now, "Check the role.");

    private static JsonObject Document(string keyId, DateTimeOffset expiration, bool withToken, bool withCode)
    {
        JsonObject document = new()
        {
            ["AccessKeyId"] = keyId,
            ["SecretAccessKey"] = Secret,
            ["Expiration"] = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        if (withToken)
        {
            document["Token"] = SessionToken;
        }

        if (withCode)
        {
            document["Code"] = "Success";
            document["LastUpdated"] = "2026-11-23T11:00:00Z";
            document["Type"] = "AWS-HMAC";
        }

        return document;
    }
}
