using System.Net;
using System.Text;
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

    [Theory]
    [InlineData(Token)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6")]
    public void Map_AwsStsMessageEchoesTheWebIdentityToken_QuotesNoneOfIt(string echoed)
    {
        AwsStsServiceException sts = StsQueryProtocol.ParseError(HttpStatusCode.BadRequest, Encoding.UTF8.GetBytes(
            $"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Token {echoed} is invalid</Message></Error></ErrorResponse>"));

        CrossCloudAuthException error = StsErrors.Map(sts, StsOperation.AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity(r)", "sts", sentToken: Token);

        Assert.False(SecretText.ContainsPieceOf(error.ToString(), Token));
        Assert.Equal("InvalidIdentityToken", Assert.IsType<CredentialRequestFailedException>(error).ErrorCode);
    }

    [Fact]
    public void Map_AwsStsMessageEchoesAPieceOfTheToken_AttachesNoCause()
    {
        AwsStsServiceException sts = StsQueryProtocol.ParseError(HttpStatusCode.BadRequest, Encoding.UTF8.GetBytes(
            $"<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad: {Token[..40]}</Message></Error></ErrorResponse>"));

        CrossCloudAuthException error = StsErrors.Map(sts, StsOperation.AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity(r)", "sts", sentToken: Token);

        Assert.Null(error.InnerException);
        Assert.Contains("<redacted> (the answer quoted the token the call sent)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_AwsStsMessageWithoutTheToken_StillQuotedWithTheStsError()
    {
        AwsStsServiceException sts = StsQueryProtocol.ParseError(HttpStatusCode.BadRequest, Encoding.UTF8.GetBytes(
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience</Message></Error></ErrorResponse>"));

        CrossCloudAuthException error = StsErrors.Map(sts, StsOperation.AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity(r)", "sts", sentToken: Token);

        Assert.Contains("Incorrect token audience", error.Message, StringComparison.Ordinal);
        Assert.Same(sts, error.InnerException);
    }
}
