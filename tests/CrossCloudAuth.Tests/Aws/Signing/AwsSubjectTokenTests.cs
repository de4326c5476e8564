using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Aws.Signing;

public sealed class AwsSubjectTokenTests
{
    private const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/aws";
    private static readonly DateTimeOffset s_signedAt = new(2020, 8, 11, 6, 55, 22, TimeSpan.Zero);
    private static readonly AwsCredentials s_session = new("accessKeyID", "secret", "sessionTok", s_signedAt.AddHours(1));

    [Fact]
    public void Create_SessionCredentials_SerializesGoogleFormatInFixedOrder()
    {
        string token = AwsSubjectToken.Create(s_session, "us-east-2", Audience, s_signedAt);

        using JsonDocument json = JsonDocument.Parse(Uri.UnescapeDataString(token));
        JsonElement root = json.RootElement;
        Assert.Equal(["url", "method", "headers"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", root.GetProperty("url").GetString());
        Assert.Equal("POST", root.GetProperty("method").GetString());

        (string Key, string Value)[] headers = root.GetProperty("headers").EnumerateArray()
            .Select(h => (h.GetProperty("key").GetString()!, h.GetProperty("value").GetString()!)).ToArray();
        Assert.Equal(["host", "x-amz-date", "x-amz-security-token", "x-goog-cloud-target-resource", "Authorization"], headers.Select(h => h.Key));
        Assert.Equal("sts.us-east-2.amazonaws.com", headers[0].Value);
        Assert.Equal("20200811T065522Z", headers[1].Value);
        Assert.Equal("sessionTok", headers[2].Value);
        Assert.Equal(Audience, headers[3].Value);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=accessKeyID/20200811/us-east-2/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource, Signature=" + IndependentSignature(withToken: true),
            headers[4].Value);
    }

    [Fact]
    public void Create_LongTermCredentials_OmitsSecurityToken()
    {
        AwsCredentials keys = new("accessKeyID", "secret");

        string json = Uri.UnescapeDataString(AwsSubjectToken.Create(keys, "us-east-2", Audience, s_signedAt));

        Assert.DoesNotContain("x-amz-security-token", json, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=host;x-amz-date;x-goog-cloud-target-resource, Signature=" + IndependentSignature(withToken: false), json, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FixedInputs_ProducesExactBytes()
    {
        // Pinned so that any change to the serialization is deliberate: the subject token is a wire format.
        string token = AwsSubjectToken.Create(s_session, "us-east-2", Audience, s_signedAt);

        string expectedJson =
            "{\"url\":\"https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15\",\"method\":\"POST\",\"headers\":[" +
            "{\"key\":\"host\",\"value\":\"sts.us-east-2.amazonaws.com\"}," +
            "{\"key\":\"x-amz-date\",\"value\":\"20200811T065522Z\"}," +
            "{\"key\":\"x-amz-security-token\",\"value\":\"sessionTok\"}," +
            "{\"key\":\"x-goog-cloud-target-resource\",\"value\":\"" + Audience + "\"}," +
            "{\"key\":\"Authorization\",\"value\":\"AWS4-HMAC-SHA256 Credential=accessKeyID/20200811/us-east-2/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource, Signature=" + IndependentSignature(withToken: true) + "\"}]}";
        Assert.Equal(Uri.EscapeDataString(expectedJson), token);
        Assert.DoesNotContain('{', token);
        Assert.DoesNotContain(' ', token);
    }

    [Fact]
    public void Create_SameInputsTwice_IsDeterministic()
    {
        Assert.Equal(
            AwsSubjectToken.Create(s_session, "eu-west-1", Audience, s_signedAt),
            AwsSubjectToken.Create(s_session, "eu-west-1", Audience, s_signedAt));
    }

    [Fact]
    public void Create_CustomVerificationUrlWithPlaceholder_SubstitutesRegionAndPort()
    {
        string json = Uri.UnescapeDataString(AwsSubjectToken.Create(
            s_session, "ap-south-1", Audience, s_signedAt, "http://127.0.0.1:8123/sts/{region}?Action=GetCallerIdentity&Version=2011-06-15"));

        Assert.Contains("\"url\":\"http://127.0.0.1:8123/sts/ap-south-1?Action=GetCallerIdentity&Version=2011-06-15\"", json, StringComparison.Ordinal);
        Assert.Contains("{\"key\":\"host\",\"value\":\"127.0.0.1:8123\"}", json, StringComparison.Ordinal);
        Assert.Contains("/ap-south-1/sts/aws4_request", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("US-EAST-1")]
    [InlineData("us-east-1.evil.com/")]
    [InlineData("")]
    [InlineData("-us")]
    public void Create_InvalidRegion_Throws(string region)
    {
        Assert.Throws<ArgumentException>(() => AwsSubjectToken.Create(s_session, region, Audience, s_signedAt));
    }

    [Theory]
    [InlineData("http://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity")]
    [InlineData("sts.{region}.amazonaws.com")]
    [InlineData("https://user:pw@sts.{region}.amazonaws.com")]
    public void Create_DisallowedVerificationUrl_Throws(string url)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => AwsSubjectToken.Create(s_session, "us-east-1", Audience, s_signedAt, url));
        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EmptyAudience_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => AwsSubjectToken.Create(s_session, "us-east-1", " ", s_signedAt));
    }

    /// <summary>Recomputes the signature from a canonical request written out by hand, with .NET's HMAC only.</summary>
    private static string IndependentSignature(bool withToken)
    {
        string canonicalRequest =
            "POST\n" +
            "/\n" +
            "Action=GetCallerIdentity&Version=2011-06-15\n" +
            "host:sts.us-east-2.amazonaws.com\n" +
            "x-amz-date:20200811T065522Z\n" +
            (withToken ? "x-amz-security-token:sessionTok\n" : "") +
            "x-goog-cloud-target-resource:" + Audience + "\n" +
            "\n" +
            (withToken ? "host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource\n" : "host;x-amz-date;x-goog-cloud-target-resource\n") +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        string stringToSign =
            "AWS4-HMAC-SHA256\n20200811T065522Z\n20200811/us-east-2/sts/aws4_request\n" +
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4secret"), Encoding.UTF8.GetBytes("20200811"));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("us-east-2"));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("sts"));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("aws4_request"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
