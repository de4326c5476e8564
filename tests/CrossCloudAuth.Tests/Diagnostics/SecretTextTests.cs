using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Diagnostics;
using CrossCloudAuth.Google;
using CrossCloudAuth.Http;

namespace CrossCloudAuth.Tests.Diagnostics;

public sealed class SecretTextTests
{
    private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6Y2kifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi10aGF0LWlzLXNlbnQ";

    [Theory]
    [InlineData("the token " + Token + " is invalid", true)]
    [InlineData("cut: eyJzdWIiOiJzeXN0ZW06c2VydmljZWFj", true)]
    [InlineData("only 15: eyJzdWIiOiJzeXN", false)]
    [InlineData("Not authorized to perform sts:AssumeRoleWithWebIdentity", false)]
    [InlineData("", false)]
    public void ContainsPieceOf_TextAndToken_FindsAnySixteenCharacterPiece(string text, bool expected)
    {
        Assert.Equal(expected, SecretText.ContainsPieceOf(text, Token));
    }

    [Fact]
    public void Quote_TokenCrossingTheLengthLimit_RedactedBeforeTheCut()
    {
        string quoted = ServiceErrorText.Quote(new string('x', 350) + " " + Token + " rejected");

        Assert.DoesNotContain("eyJ", quoted, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_GoogleDescriptionEchoesTheSubjectToken_QuotesNoneOfIt()
    {
        byte[] body = Encoding.UTF8.GetBytes($"{{\"error\":\"invalid_request\",\"error_description\":\"subject_token {Token[..60]}\"}}");
        var response = new HopResponse(HttpStatusCode.BadRequest, body, "application/json", null);

        CredentialRequestFailedException error = StsErrorTranslator.Translate("google-sts:token-exchange", response, "//iam.googleapis.com/x", SubjectTokenTypes.Jwt, Token);

        Assert.False(SecretText.ContainsPieceOf(error.ToString(), Token));
        Assert.Contains("<redacted> (the description quoted the subject token back)", error.Message, StringComparison.Ordinal);
        Assert.Equal("invalid_request", error.ErrorCode);
    }

    [Fact]
    public void Map_AwsStsMessageEchoesTheWebIdentityToken_QuotesNoneOfItAndAttachesNoSdkException()
    {
        var sdk = new InvalidIdentityTokenException($"Token {Token} is invalid", null, ErrorType.Sender, "InvalidIdentityToken", "request-1", HttpStatusCode.BadRequest);

        CrossCloudAuthException error = StsErrors.Map(sdk, StsErrors.Operation.AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity(r)", "sts", sentToken: Token);

        Assert.False(SecretText.ContainsPieceOf(error.ToString(), Token));
        Assert.Null(error.InnerException);
        Assert.Equal("InvalidIdentityToken", Assert.IsType<CredentialRequestFailedException>(error).ErrorCode);
    }

    [Fact]
    public void Map_AwsStsMessageWithoutTheToken_StillQuotedWithTheSdkException()
    {
        var sdk = new InvalidIdentityTokenException("Incorrect token audience", null, ErrorType.Sender, "InvalidIdentityToken", "request-1", HttpStatusCode.BadRequest);

        CrossCloudAuthException error = StsErrors.Map(sdk, StsErrors.Operation.AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity(r)", "sts", sentToken: Token);

        Assert.Contains("Incorrect token audience", error.Message, StringComparison.Ordinal);
        Assert.Same(sdk, error.InnerException);
    }
}
