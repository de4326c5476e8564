using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Tests.TestDoubles;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google.Apis;

public sealed class GoogleApisCredentialTests
{
    private const string BucketListUrl = "https://storage.googleapis.com/storage/v1/b/my-bucket/o";

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().WithFile(TokenPath, "eks-oidc-token");
    private readonly FakeGoogleEndpoints _google = new FakeGoogleEndpoints()
        .OnSts(_ => FakeGoogleEndpoints.StsToken("federated"))
        .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken("ya29.impersonated", "2026-11-23T13:00:00Z"))
        .On(HttpMethod.Get, BucketListUrl, _ => FakeGoogleEndpoints.Json("""{"kind":"storage#objects","items":[]}"""));

    [Fact]
    public async Task ConfigurableHttpClient_WithOurCredentialAsInitializer_SendsOurTokenAndQuotaProject()
    {
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment, o => o.QuotaProjectId = "billing-project");
        GoogleApisCredential credential = new(federated);
        CreateHttpClientArgs args = new() { ApplicationName = "test" };
        args.Initializers.Add(credential);
        using ConfigurableHttpClient client = new RoutedHttpClientFactory(_google).CreateHttpClient(args);

        using HttpResponseMessage response = await client.GetAsync(BucketListUrl);

        response.EnsureSuccessStatusCode();
        RecordedRequest call = _google.RequestsTo(BucketListUrl).Single();
        Assert.Equal("Bearer ya29.impersonated", call.Header("Authorization"));
        Assert.Equal("billing-project", call.Header("x-goog-user-project"));
    }

    [Fact]
    public async Task GetAccessTokenForRequestAsync_Hit_ReturnsTheSameCompletedTask()
    {
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment);
        GoogleApisCredential credential = new(federated);

        string token = await credential.GetAccessTokenForRequestAsync();
        Task<string> first = credential.GetAccessTokenForRequestAsync();
        Task<string> second = credential.GetAccessTokenForRequestAsync();

        Assert.Equal("ya29.impersonated", token);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task GetAccessTokenWithHeadersForRequestAsync_QuotaProject_CarriesTheHeader()
    {
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment, o => o.QuotaProjectId = "billing-project");
        ITokenAccessWithHeaders credential = new GoogleApisCredential(federated);

        AccessTokenWithHeaders token = await credential.GetAccessTokenWithHeadersForRequestAsync();

        Assert.Equal("ya29.impersonated", token.AccessToken);
        Assert.Equal(["billing-project"], token.Headers["x-goog-user-project"]);
    }

    [Fact]
    public async Task GetAccessTokenForRequestAsync_UpstreamFailure_SurfacesOurException()
    {
        _google.OnSts(_ => FakeGoogleEndpoints.Json("""{"error":"invalid_target","error_description":"The target service indicated by the \"audience\" parameters is invalid."}""", System.Net.HttpStatusCode.BadRequest));
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => new GoogleApisCredential(federated).GetAccessTokenForRequestAsync());

        Assert.Equal("invalid_target", error.ErrorCode);
    }

    [Fact]
    public async Task ToGoogleCredential_ProgrammaticBridge_ExchangesOurSubjectTokenThroughGoogleApisAuth()
    {
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment, o => o.QuotaProjectId = "billing-project");

        GoogleCredential google = federated.ToGoogleCredential(new RoutedHttpClientFactory(_google));
        string token = await google.UnderlyingCredential.GetAccessTokenForRequestAsync();

        Assert.Equal("ya29.impersonated", token);
        Assert.Equal("billing-project", google.QuotaProject);
        RecordedRequest sts = _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Single();
        Assert.Equal("eks-oidc-token", sts.Form["subject_token"]);
        Assert.Equal(EksAudience, sts.Form["audience"]);
        Assert.Equal("Bearer federated", _google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Single().Header("Authorization"));
    }

    [Fact]
    public void ToGoogleCredential_Delegates_Refuses()
    {
        using GoogleFederatedCredential federated = FromFixture("eks-irsa-file.json", _google, _time, _environment, o => o.Delegates.Add("d@p.iam.gserviceaccount.com"));

        Assert.Throws<CredentialConfigurationException>(() => federated.ToGoogleCredential());
    }
}
