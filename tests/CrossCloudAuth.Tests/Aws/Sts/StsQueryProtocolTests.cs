using System.Net;
using System.Text;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Tests.Aws.Sts;

/// <summary>STS's query protocol as the library writes and reads it: the form body, the answers (with and without
/// STS's namespace), error documents, and hostile or broken XML, which must never reach a message.</summary>
public sealed class StsQueryProtocolTests
{
    [Fact]
    public void FormBody_EncodesEveryNameAndValueAsRfc3986()
    {
        byte[] body = StsQueryProtocol.FormBody(StsOperation.AssumeRole, [new("RoleArn", "arn:aws:iam::1:role/a b"), new("Policy", "{\"x\":\"~+&=\"}")]);

        Assert.Equal(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&Policy=%7B%22x%22%3A%22~%2B%26%3D%22%7D",
            Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData(" xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"")]
    [InlineData("")]
    public void ParseCredentials_StsAnswer_ReadsCredentialsRoleAndSubject(string ns)
    {
        StsCredentialsResult result = StsQueryProtocol.ParseCredentials(StsOperation.AssumeRoleWithWebIdentity, Utf8(
            StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1)).Replace(" xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"", ns, StringComparison.Ordinal)));

        Assert.Equal(AwsTestData.AccessKeyId, result.Credentials.AccessKeyId);
        Assert.Equal(AwsTestData.SecretAccessKey, result.Credentials.SecretAccessKey);
        Assert.Equal(AwsTestData.SessionToken, result.Credentials.SessionToken);
        Assert.Equal(AwsTestData.Now.AddHours(1), result.Credentials.ExpiresOn);
        Assert.Equal("arn:aws:sts::111111111111:assumed-role/ci-account-iam-role/session", result.AssumedRoleArn);
        Assert.Equal("system:serviceaccount:ci-namespace:ci-serviceaccount", result.Subject);
        AwsTestData.AssertNoSecret(result.ToString());
    }

    [Fact]
    public void ParseCredentials_FractionalSecondsAndOffset_ReadAsUtc()
    {
        string xml = StsResponses.AssumeRole(AwsTestData.Now).Replace("2026-11-23T12:00:00Z", "2026-11-23T13:00:00.123+01:00", StringComparison.Ordinal);

        StsCredentialsResult result = StsQueryProtocol.ParseCredentials(StsOperation.AssumeRole, Utf8(xml));

        Assert.Equal(AwsTestData.Now.AddMilliseconds(123), result.Credentials.ExpiresOn);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "not well-formed" },
        { "<html><body>proxy login</body></html>", "not an AssumeRoleResponse" },
        { StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now), "not an AssumeRoleResponse" },
        { StsResponses.AssumeRole(AwsTestData.Now).Replace("<Expiration>2026-11-23T12:00:00Z</Expiration>", "", StringComparison.Ordinal), "Expiration is missing" },
        { StsResponses.AssumeRole(AwsTestData.Now).Replace("2026-11-23T12:00:00Z", "soon", StringComparison.Ordinal), "Expiration is missing or not a date" },
        { StsResponses.AssumeRole(AwsTestData.Now).Replace("<SessionToken>", "<Other>", StringComparison.Ordinal).Replace("</SessionToken>", "</Other>", StringComparison.Ordinal), "no credentials" },
        { "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><AssumeRoleResponse>&x;</AssumeRoleResponse>", "not well-formed" },
        { "<AssumeRoleResponse>" + string.Concat(Enumerable.Repeat("<a>", 40)), "nested deeper" },
        { "<AssumeRoleResponse><Credentials><AccessKeyId>ASIA" + AwsTestData.SessionToken, "not well-formed" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ParseCredentials_NotTheAnswer_MalformedWithoutQuotingIt(string xml, string problem)
    {
        StsMalformedResponseException error = Assert.Throws<StsMalformedResponseException>(() => StsQueryProtocol.ParseCredentials(StsOperation.AssumeRole, Utf8(xml)));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
        AwsTestData.AssertNoSecret(error.ToString());
        Assert.DoesNotContain("passwd", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseError_StsErrorDocument_ReadsCodeTypeAndMessage()
    {
        AwsStsServiceException error = StsQueryProtocol.ParseError(HttpStatusCode.ServiceUnavailable, Utf8(StsResponses.Error("ServiceUnavailable", "Try again\nlater", "Receiver")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal("ServiceUnavailable", error.ErrorCode);
        Assert.Equal("Receiver", error.ErrorType);
        Assert.Equal("Try again later", error.Message);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("")]
    [InlineData("<ErrorResponse><Error><Code>Access Denied; see eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln</Code></Error></ErrorResponse>")]
    [InlineData("<ErrorResponse><Error><Code>AccessDenied</Code>")]
    public void ParseError_NotAnStsErrorDocument_HasNoCodeAndQuotesNothing(string body)
    {
        AwsStsServiceException error = StsQueryProtocol.ParseError(HttpStatusCode.BadGateway, Utf8(body));

        Assert.Null(error.ErrorCode);
        Assert.False(error.HasServiceMessage);
        Assert.Equal("STS answered HTTP 502 without an STS error document.", error.Message);
    }

    [Fact]
    public void ParseError_LongMessageWithAToken_BoundedAndRedacted()
    {
        string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
        AwsStsServiceException error = StsQueryProtocol.ParseError(HttpStatusCode.BadRequest, Utf8(StsResponses.Error("InvalidIdentityToken", token + new string('x', 5000))));

        Assert.DoesNotContain("eyJ", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Message.Length, 1, 401);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
