using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Tests.Aws.Signing;

/// <summary>
/// Known-answer tests of the hand-written SigV4 signer against AWS's published Signature Version 4 test suite
/// (aws-signing-test-suite/v4, as shipped with awslabs/aws-c-auth) and against the request-signer examples that
/// Google's auth libraries publish for the <c>aws4_request</c> subject token (googleapis/google-cloud-go
/// auth/credentials/internal/externalaccount/aws_provider_test.go), plus a cross-check with AWSSDK.Core's signer.
/// </summary>
public sealed class SigV4SignerTests
{
    private const string SuiteKeyId = "AKIDEXAMPLE";
    private const string SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset s_suiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    public static TheoryData<string, string, string, string[], string, string> AwsSuite => new()
    {
        // name, method, path and query, extra headers ("Name:value"), body, expected signature
        { "get-vanilla", "GET", "/", [], "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", [], "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
        { "get-vanilla-query-unreserved", "GET", "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", [], "", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197" },
        { "get-utf8", "GET", "/ሴ", [], "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
        { "get-space", "GET", "/example space/", [], "", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741" },
        { "get-header-value-trim", "GET", "/", ["My-Header1: value1", "My-Header2: \"a   b   c\""], "", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
        { "post-vanilla", "POST", "/", [], "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
        { "post-vanilla-query", "POST", "/?Param1=value1", [], "", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
        { "post-header-key-sort", "POST", "/", ["My-Header1:value1"], "", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
        {
            "post-x-www-form-urlencoded", "POST", "/",
            ["Content-Type:application/x-www-form-urlencoded", "Content-Length:13", "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"],
            "Param1=value1", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        },
    };

    [Theory]
    [MemberData(nameof(AwsSuite))]
    public void Sign_AwsTestSuiteVector_MatchesPublishedSignature(string name, string method, string pathAndQuery, string[] extraHeaders, string body, string expected)
    {
        _ = name;
        List<KeyValuePair<string, string>> headers =
        [
            new("Host", "example.amazonaws.com"),
            new("X-Amz-Date", "20150830T123600Z"),
            .. extraHeaders.Select(ParseHeader),
        ];

        SigV4Signature signature = SigV4Signer.Sign(
            method, new Uri("https://example.amazonaws.com" + pathAndQuery), headers, Sha256Hex(body),
            SuiteKeyId, SuiteSecret, "us-east-1", "service", s_suiteTime);

        Assert.Equal(expected, signature.Signature);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=", signature.Authorization);
        Assert.EndsWith("Signature=" + expected, signature.Authorization);
    }

    [Fact]
    public void Sign_AwsTestSuiteSessionToken_MatchesPublishedSignature()
    {
        // get-vanilla-with-session-token (header signing).
        const string token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
        SigV4Signature signature = SigV4Signer.Sign(
            "GET",
            new Uri("https://example.amazonaws.com/"),
            [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z"), new("X-Amz-Security-Token", token)],
            SigV4Signer.EmptyPayloadHash,
            SuiteKeyId, SuiteSecret, "us-east-1", "service", s_suiteTime);

        Assert.Equal("host;x-amz-date;x-amz-security-token", signature.SignedHeaders);
        Assert.Equal("07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8", signature.Signature);
    }

    public static TheoryData<string, string, string[], string, string, string> GoogleDateHeaderExamples => new()
    {
        // Google's signer examples from the 2011 edition of the suite: a Date header instead of X-Amz-Date,
        // region us-east-1, service "host".
        { "GET", "https://host.foo.com", [], "", "date;host", "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470" },
        { "GET", "https://host.foo.com/foo/bar/../..", [], "", "date;host", "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470" },
        { "GET", "https://host.foo.com/./", [], "", "date;host", "b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470" },
        { "GET", "https://host.foo.com/./foo", [], "", "date;host", "910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a" },
        { "GET", "https://host.foo.com/%E1%88%B4", [], "", "date;host", "8d6634c189aa8c75c2e51e106b6b5121bed103fdb351f7d7d4381c738823af74" },
        { "GET", "https://host.foo.com/?foo=Zoo&foo=aha", [], "", "date;host", "be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09" },
        { "GET", "https://host.foo.com/?foo=b&foo=a", [], "", "date;host", "feb926e49e382bec75c9d7dcb2a1b6dc8aa50ca43c25d2bc51143768c0875acc" },
        { "GET", "https://host.foo.com/?ሴ=bar", [], "", "date;host", "6fb359e9a05394cc7074e0feb42573a2601abc0c869a953e8c5c12e4e01f1a8c" },
        { "POST", "https://host.foo.com/", ["ZOO:zoobar"], "", "date;host;zoo", "b7a95a52518abbca0964a999a880429ab734f35ebbf1235bd79a5de87756dc4a" },
        { "POST", "https://host.foo.com/", ["zoo:ZOOBAR"], "", "date;host;zoo", "273313af9d0c265c531e11db70bbd653f3ba074c1009239e8559d3987039cad7" },
        { "POST", "https://host.foo.com/", ["p:phfft"], "", "date;host;p", "debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592" },
        { "POST", "https://host.foo.com/", ["Content-Type:application/x-www-form-urlencoded"], "foo=bar", "content-type;date;host", "5a15b22cf462f047318703b92e6f4f38884e4a7ab7b1d6426ca46a8bd1c26cbc" },
        { "POST", "https://host.foo.com/?foo=bar", [], "", "date;host", "b6e3b79003ce0743a491606ba1035a804593b0efb1e20a11cba83f8c25a57a92" },
    };

    [Theory]
    [MemberData(nameof(GoogleDateHeaderExamples))]
    public void Sign_GoogleDateHeaderExample_MatchesPublishedSignature(string method, string url, string[] extraHeaders, string body, string signedHeaders, string expected)
    {
        Uri uri = new(url);
        List<KeyValuePair<string, string>> headers =
        [
            new("Host", uri.Authority),
            new("Date", "Mon, 09 Sep 2011 23:36:00 GMT"),
            .. extraHeaders.Select(ParseHeader),
        ];

        SigV4Signature signature = SigV4Signer.Sign(
            method, uri, headers, Sha256Hex(body), SuiteKeyId, SuiteSecret, "us-east-1", "host",
            new DateTimeOffset(2011, 9, 9, 23, 36, 0, TimeSpan.Zero));

        Assert.Equal(signedHeaders, signature.SignedHeaders);
        Assert.Equal(expected, signature.Signature);
    }

    public static TheoryData<string, string, string?, string[], string, string, string> GoogleSessionExamples => new()
    {
        // Google's examples for the aws4_request signer: key "accessKeyID", secret "secret", signed 2020-08-11T06:55:22Z.
        { "GET", "https://ec2.us-east-2.amazonaws.com?Action=DescribeRegions&Version=2013-10-15", "sessionTok", [], "", "ec2", "361dc730fd43b4330fa20603a7fbc305ef10b5be125d219ebef40f18569ef5b2" },
        { "POST", "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", "sessionTok", [], "", "sts", "48541de09ff691ab53f9e017f5123ce338fecbadc1b278480bab3af221ca4f38" },
        { "POST", "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", null, [], "", "sts", "bff58112d4696faecff9c104c8b7b963141e8b3cc4ba46a0664938fe6d112e41" },
        {
            "POST", "https://dynamodb.us-east-2.amazonaws.com/", "sessionTok",
            ["Content-Type:application/x-amz-json-1.0", "x-amz-target:DynamoDB_20120810.CreateTable"],
            "{\"KeySchema\":[{\"KeyType\":\"HASH\",\"AttributeName\":\"Id\"}],\"TableName\":\"TestTable\",\"AttributeDefinitions\":[{\"AttributeName\":\"Id\",\"AttributeType\":\"S\"}],\"ProvisionedThroughput\":{\"WriteCapacityUnits\":5,\"ReadCapacityUnits\":5}}",
            "dynamodb", "ae7b75b3c0a9ef64626a4e9e6c3d503745dd0a109cb35d56d87c617eae804c00"
        },
    };

    [Theory]
    [MemberData(nameof(GoogleSessionExamples))]
    public void Sign_GoogleSessionTokenExample_MatchesPublishedSignature(string method, string url, string? sessionToken, string[] extraHeaders, string body, string service, string expected)
    {
        Uri uri = new(url);
        List<KeyValuePair<string, string>> headers = [new("Host", uri.Authority), new("X-Amz-Date", "20200811T065522Z"), .. extraHeaders.Select(ParseHeader)];
        if (sessionToken is not null)
        {
            headers.Add(new("X-Amz-Security-Token", sessionToken));
        }

        SigV4Signature signature = SigV4Signer.Sign(
            method, uri, headers, Sha256Hex(body), "accessKeyID", "secret", "us-east-2", service,
            new DateTimeOffset(2020, 8, 11, 6, 55, 22, TimeSpan.Zero));

        Assert.Equal(expected, signature.Signature);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("IQoJb3JpZ2luX2VjEIz//////////wEaCXVzLWVhc3QtMiJGMEQCIH7MHX/Oy/OB8OlLQa9GrqU1B914+iMikqWQW7vPCKlgAiA=")]
    public void Sign_SameRequestAsAwsSdkSigner_ProducesTheSameAuthorization(string? sessionToken)
    {
        // AWSSDK.Core's standalone signer always signs x-amz-content-sha256, so sign that header too and compare.
        DateTimeOffset signedAt = new(2026, 11, 23, 12, 34, 56, TimeSpan.Zero);
        const string url = "https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
        const string audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/aws";
        const string keyId = "ASIAEXAMPLEKEYID1234";
        const string secret = "Y8AfSaucF37G4PpvfguKZ3/l7Id4uocLXxX0+VTx";

        AWSSigningRequest request = new() { HttpMethod = HttpMethod.Post, RequestUri = new Uri(url) };
        request.Headers["x-goog-cloud-target-resource"] = audience;
        AWSCredentials sdkCredentials = sessionToken is null ? new BasicAWSCredentials(keyId, secret) : new SessionAWSCredentials(keyId, secret, sessionToken);
        AWSSigningResult sdk = AWSSigV4Signer.Sign(request, new AWSSigV4Parameters
        {
            Credentials = sdkCredentials,
            Region = Amazon.RegionEndpoint.GetBySystemName("eu-west-3"),
            Service = "sts",
            SignedAt = signedAt.UtcDateTime,
        });

        List<KeyValuePair<string, string>> headers =
        [
            new("host", "sts.eu-west-3.amazonaws.com"),
            new("x-amz-date", SigV4Signer.FormatAmzDate(signedAt)),
            new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash),
            new("x-goog-cloud-target-resource", audience),
        ];
        if (sessionToken is not null)
        {
            headers.Add(new("x-amz-security-token", sessionToken));
        }

        SigV4Signature ours = SigV4Signer.Sign("POST", new Uri(url), headers, SigV4Signer.EmptyPayloadHash, keyId, secret, "eu-west-3", "sts", signedAt);

        Assert.Equal(sdk.Headers["Authorization"], ours.Authorization);
        Assert.Equal(sdk.Headers["X-Amz-Date"], SigV4Signer.FormatAmzDate(signedAt));
    }

    [Fact]
    public void CanonicalQuery_RepeatedAndUnsortedParameters_SortsByNameThenValue()
    {
        Assert.Equal("A=0&a=1&b=2&b=3", SigV4Signer.CanonicalQuery("?b=3&a=1&b=2&A=0"));
        Assert.Equal("key=", SigV4Signer.CanonicalQuery("key"));
        Assert.Equal(string.Empty, SigV4Signer.CanonicalQuery("?"));
    }

    [Fact]
    public void FormatAmzDate_NonUtcOffset_FormatsInUtc()
    {
        DateTimeOffset local = new(2020, 8, 11, 8, 55, 22, TimeSpan.FromHours(2));
        Assert.Equal("20200811T065522Z", SigV4Signer.FormatAmzDate(local));
    }

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        int colon = header.IndexOf(':', StringComparison.Ordinal);
        return new(header[..colon], header[(colon + 1)..]);
    }

    private static string Sha256Hex(string body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
}
