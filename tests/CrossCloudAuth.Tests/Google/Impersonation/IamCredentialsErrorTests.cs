using System.Net;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google.Impersonation;

public sealed class IamCredentialsErrorTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().WithFile(TokenPath, "oidc");
    private readonly FakeGoogleEndpoints _google = new FakeGoogleEndpoints().OnSts(_ => FakeGoogleEndpoints.StsToken("federated-secret"));

    [Fact]
    public async Task GetAsync_PermissionDeniedForOidcSubject_NamesThePrincipalBinding()
    {
        _google.OnGenerateAccessToken(_ => Error(403, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Contains("roles/iam.workloadIdentityUser", error.Message, StringComparison.Ordinal);
        Assert.Contains("principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/subject/", error.Message, StringComparison.Ordinal);
        Assert.Contains("gcloud iam service-accounts add-iam-policy-binding sa01@my-project.iam.gserviceaccount.com", error.Message, StringComparison.Ordinal);
        Assert.Contains("iam.serviceAccounts.getAccessToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("federated-secret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetIdTokenAsync_PermissionDenied_NamesTheOpenIdPermission()
    {
        _google.OnGenerateIdToken(_ => Error(403, "PERMISSION_DENIED", "Permission denied."));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetIdTokenAsync("https://x.run.app").AsTask());

        Assert.Equal("iam-credentials:generateIdToken(sa01@my-project.iam.gserviceaccount.com)", error.HopName);
        Assert.Contains("iam.serviceAccounts.getOpenIdToken", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "NOT_FOUND", "does not exist", false)]
    [InlineData(400, "INVALID_ARGUMENT", "iam.allowServiceAccountCredentialLifetimeExtension", false)]
    [InlineData(401, "UNAUTHENTICATED", "cloud-platform scope", false)]
    [InlineData(503, "UNAVAILABLE", "retried", true)]
    [InlineData(429, "RESOURCE_EXHAUSTED", "retried", true)]
    public async Task GetAsync_IamError_MapsStatusToFix(int status, string code, string fix, bool transient)
    {
        _google.OnGenerateAccessToken(_ => Error(status, code, "Something went wrong."));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"Something went wrong.\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_NonJsonErrorBody_DescribesTheStatus()
    {
        _google.OnGenerateAccessToken(_ => FakeGoogleEndpoints.Text("<html>Forbidden</html>", HttpStatusCode.Forbidden));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Equal("PERMISSION_DENIED", error.ErrorCode);
        Assert.DoesNotContain("<html>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"accessToken":"t"}""", "expireTime is missing")]
    [InlineData("""{"accessToken":"t","expireTime":"tomorrow"}""", "expireTime is missing")]
    [InlineData("""{"expireTime":"2026-11-23T13:00:00Z"}""", "no accessToken")]
    public async Task GetAsync_GarbledSuccess_Throws(string body, string expected)
    {
        _google.OnGenerateAccessToken(_ => FakeGoogleEndpoints.Json(body));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2027-11-23T12:00:00Z")]
    public async Task GetAsync_ExpireTimeBeyondTwelveHours_IsCappedAtTwelveHours(string expireTime)
    {
        _google.OnGenerateAccessToken(_ => FakeGoogleEndpoints.Json($$"""{"accessToken":"ya29.capped","expireTime":"{{expireTime}}"}"""));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        AuthToken token = await credential.GetAsync();

        Assert.Equal(_time.GetUtcNow().AddHours(12), token.ExpiresOn);
    }

    [Fact]
    public async Task GetIdTokenAsync_TokenWithoutExp_Throws()
    {
        _google.OnGenerateIdToken(_ => FakeGoogleEndpoints.Json("""{"token":"not-a-jwt"}"""));
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetIdTokenAsync("https://x.run.app").AsTask());

        Assert.Contains("exp claim", error.Message, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Error(int status, string code, string message) =>
        FakeGoogleEndpoints.Json($$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{code}}}"}}""", (HttpStatusCode)status);
}
