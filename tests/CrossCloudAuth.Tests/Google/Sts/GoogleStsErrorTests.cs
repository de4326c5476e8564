using System.Net;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google.Sts;

public sealed class GoogleStsErrorTests
{
    private const string SubjectToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2VjcmV0";

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().WithFile(TokenPath, SubjectToken);
    private readonly FakeGoogleEndpoints _google = new();

    [Theory]
    [InlineData("invalid_grant", "The audience in ID Token [sts.amazonaws.com] does not match the expected audience.", "allowed audiences")]
    [InlineData("invalid_grant", "ID Token issued at 1700000000 is stale to sign-in.", "re-read for every exchange")]
    [InlineData("invalid_grant", "The given credential is rejected by the attribute condition.", "attribute condition")]
    [InlineData("invalid_request", "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider.", "full resource name")]
    [InlineData("unauthorized_client", "The given credential is rejected by the attribute condition.", "attribute condition")]
    [InlineData("invalid_target", "The target service indicated by the \"audience\" parameters is invalid.", "does not exist, is disabled or was deleted")]
    [InlineData("invalid_client", "Invalid client.", "client_id / client_secret")]
    public async Task GetAsync_StsOAuthError_QuotesGoogleAndNamesTheFix(string code, string description, string fix)
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Json($$"""{"error":"{{code}}","error_description":{{System.Text.Json.JsonSerializer.Serialize(description)}}}""", HttpStatusCode.BadRequest));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Equal("google-sts:token-exchange", error.HopName);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.StartsWith("[google-sts:token-exchange] Google STS rejected the token exchange", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{description}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SubjectToken, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl));
    }

    [Fact]
    public async Task GetAsync_DescriptionEchoingAToken_RedactsIt()
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Json($$"""{"error":"invalid_grant","error_description":"Bad token {{SubjectToken}} here"}""", HttpStatusCode.BadRequest));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.DoesNotContain(SubjectToken, error.Message, StringComparison.Ordinal);
        Assert.Contains("<redacted>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task GetAsync_ServerErrorOrThrottling_IsTransient(HttpStatusCode status)
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Text("<html>oops</html>", status));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(3, _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Count());
    }

    [Fact]
    public async Task GetAsync_ServerErrorThenSuccessOnBothHops_RetriesEachAndSucceeds()
    {
        int stsCalls = 0;
        int iamCalls = 0;
        _google.OnSts(_ => ++stsCalls == 1 ? FakeGoogleEndpoints.Text("<html>oops</html>", HttpStatusCode.ServiceUnavailable) : FakeGoogleEndpoints.StsToken("federated-token"))
            .OnGenerateAccessToken(_ => ++iamCalls == 1
                ? FakeGoogleEndpoints.Json("""{"error":{"code":503,"status":"UNAVAILABLE","message":"try later"}}""", HttpStatusCode.ServiceUnavailable)
                : FakeGoogleEndpoints.IamToken("impersonated-token", Now.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        AuthToken token = await credential.GetAsync();

        Assert.Equal("impersonated-token", token.Token);
        Assert.Equal(2, _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Count());
        Assert.Equal(2, _google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Count());
    }

    [Fact]
    public async Task GetAsync_DefinitiveRejection_IsNotRetried()
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Json("""{"error":"invalid_grant","error_description":"no"}""", HttpStatusCode.BadRequest));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Single(_google.RequestsTo(FakeGoogleEndpoints.StsUrl));
    }

    [Theory]
    [InlineData("""{"token_type":"Bearer","expires_in":3600}""", "no access_token")]
    [InlineData("""{"access_token":"t","expires_in":0}""", "no positive expires_in")]
    [InlineData("""{"access_token":"t"}""", "no positive expires_in")]
    [InlineData("""{"access_token":"t","expires_in":"soon"}""", "not valid JSON")]
    [InlineData("<html>not json</html>", "not valid JSON")]
    public async Task GetAsync_GarbledSuccess_ThrowsNamingWhatIsMissing(string body, string expected)
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Json(body));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ExpiresInAsString_IsAccepted()
    {
        _google
            .OnSts(_ => FakeGoogleEndpoints.Json("""{"access_token":"federated","expires_in":"1800"}"""))
            .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken("impersonated", "2026-11-23T13:00:00Z"));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        Assert.Equal("impersonated", (await credential.GetAsync()).Token);
    }

    [Fact]
    public async Task GetAsync_EmptySubjectTokenFile_FailsBeforeCallingSts()
    {
        _environment.WithFile(TokenPath, string.Empty);
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => credential.GetAsync().AsTask());

        Assert.Equal($"file:{TokenPath}", error.HopName);
        Assert.Empty(_google.Requests);
    }
}
