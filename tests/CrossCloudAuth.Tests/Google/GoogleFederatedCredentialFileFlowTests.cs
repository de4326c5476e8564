using CrossCloudAuth.Platform;
using System.Text.Json;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google;

/// <summary>Flow F1: a projected OIDC token file → Google STS → service account impersonation, scripted end to end.</summary>
public sealed class GoogleFederatedCredentialFileFlowTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().WithFile(TokenPath, "eks-oidc-token-1\n");
    private readonly FakeGoogleEndpoints _google = new();
    private int _stsCalls;
    private int _iamCalls;

    public GoogleFederatedCredentialFileFlowTests()
    {
        _google
            .OnSts(_ => FakeGoogleEndpoints.StsToken($"federated-{++_stsCalls}"))
            .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken($"ya29.impersonated-{++_iamCalls}", $"{_time.GetUtcNow().AddHours(1):yyyy-MM-dd'T'HH:mm:ss}.123456789Z"))
            .OnGenerateIdToken(_ => FakeGoogleEndpoints.Json($$"""{"token":"{{Jwt(Now.AddHours(1))}}"}"""));
    }

    [Fact]
    public async Task GetAsync_EksFileConfiguration_ScriptsTheWholeConversation()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment, o => o.Scopes = [StorageReadOnly]);

        AuthToken token = await credential.GetAsync();

        Assert.Equal("ya29.impersonated-1", token.Token);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.Zero).AddTicks(1234567), token.ExpiresOn);
        Assert.Equal(2, _google.Requests.Count);

        RecordedRequest sts = _google.Requests[0];
        Assert.Equal(HttpMethod.Post, sts.Method);
        Assert.Equal(FakeGoogleEndpoints.StsUrl, sts.Url);
        Assert.StartsWith("application/x-www-form-urlencoded", sts.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Null(sts.Header("Authorization"));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
                ["audience"] = EksAudience,
                ["scope"] = CloudPlatform,
                ["requested_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                ["subject_token"] = "eks-oidc-token-1",
                ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
            },
            sts.Form);

        RecordedRequest iam = _google.Requests[1];
        Assert.Equal(HttpMethod.Post, iam.Method);
        Assert.Equal(FakeGoogleEndpoints.ImpersonationUrl, iam.Url);
        Assert.Equal("Bearer federated-1", iam.Header("Authorization"));
        Assert.StartsWith("application/json", iam.Header("Content-Type"), StringComparison.Ordinal);
        using JsonDocument body = JsonDocument.Parse(iam.Body);
        Assert.Equal([StorageReadOnly], body.RootElement.GetProperty("scope").EnumerateArray().Select(e => e.GetString()));
        Assert.False(body.RootElement.TryGetProperty("lifetime", out _));
        Assert.False(body.RootElement.TryGetProperty("delegates", out _));
        Assert.Equal("iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)", credential.HopName);
    }

    [Fact]
    public async Task GetAsync_FreshToken_IsServedFromTheCacheWithoutRequests()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        AuthToken first = await credential.GetAsync();
        AuthToken second = await credential.GetAsync();

        Assert.Same(first, second);
        Assert.Equal(2, _google.Requests.Count);
        Assert.Equal(1, _environment.FileReads);
    }

    [Fact]
    public async Task GetAsync_ManyConcurrentCallers_ShareOneExchange()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _google.OnSts(_ =>
        {
            release.Task.GetAwaiter().GetResult();
            return FakeGoogleEndpoints.StsToken($"federated-{++_stsCalls}");
        });
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        Task<AuthToken>[] callers = Enumerable.Range(0, 64).Select(_ => credential.GetAsync().AsTask()).ToArray();
        release.SetResult();
        AuthToken[] tokens = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(tokens, t => Assert.Same(tokens[0], t));
        Assert.Single(_google.RequestsTo(FakeGoogleEndpoints.StsUrl));
        Assert.Single(_google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl));
    }

    [Fact]
    public async Task GetAsync_AfterExpiry_ReReadsTheRotatedTokenFile()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);
        await credential.GetAsync();

        _environment.WithFile(TokenPath, "eks-oidc-token-2");
        _time.Advance(TimeSpan.FromHours(2));
        AuthToken renewed = await credential.GetAsync();

        Assert.Equal("ya29.impersonated-2", renewed.Token);
        RecordedRequest[] exchanges = _google.RequestsTo(FakeGoogleEndpoints.StsUrl).ToArray();
        Assert.Equal(["eks-oidc-token-1", "eks-oidc-token-2"], exchanges.Select(r => r.Form["subject_token"]));
    }

    [Fact]
    public async Task GetAsync_LifetimeAndDelegates_AreSentToIam()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment, o =>
        {
            o.TokenLifetime = TimeSpan.FromHours(2);
            o.Delegates.Add("delegate@my-project.iam.gserviceaccount.com");
            o.Delegates.Add("projects/-/serviceAccounts/second@my-project.iam.gserviceaccount.com");
        });

        await credential.GetAsync();

        using JsonDocument body = JsonDocument.Parse(_google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Single().Body);
        Assert.Equal("7200s", body.RootElement.GetProperty("lifetime").GetString());
        Assert.Equal(
            ["projects/-/serviceAccounts/delegate@my-project.iam.gserviceaccount.com", "projects/-/serviceAccounts/second@my-project.iam.gserviceaccount.com"],
            body.RootElement.GetProperty("delegates").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([CloudPlatform], body.RootElement.GetProperty("scope").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task GetAccessTokenAsync_OtherScopes_CachesSeparatelyAndSharesTheFederatedToken()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        AuthToken cloudPlatform = await credential.GetAsync();
        AuthToken storage = await credential.GetAccessTokenAsync([StorageReadOnly]);
        AuthToken storageAgain = await credential.GetAccessTokenAsync([StorageReadOnly, StorageReadOnly]);
        AuthToken cloudPlatformAgain = await credential.GetAccessTokenAsync([CloudPlatform]);

        Assert.NotEqual(cloudPlatform.Token, storage.Token);
        Assert.Same(storage, storageAgain);
        Assert.Same(cloudPlatform, cloudPlatformAgain);
        Assert.Single(_google.RequestsTo(FakeGoogleEndpoints.StsUrl));
        Assert.Equal(2, _google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Count());
    }

    [Fact]
    public async Task GetIdTokenAsync_Audience_CallsGenerateIdTokenAndReadsExp()
    {
        using GoogleFederatedCredential credential = FromFixture("eks-irsa-file.json", _google, _time, _environment);

        AuthToken idToken = await credential.GetIdTokenAsync("https://my-service-abc.a.run.app");
        AuthToken again = await credential.GetIdTokenAsync("https://my-service-abc.a.run.app");

        Assert.Same(idToken, again);
        Assert.Equal(Now.AddHours(1), idToken.ExpiresOn);
        RecordedRequest request = Assert.Single(_google.RequestsTo(FakeGoogleEndpoints.IdTokenUrl));
        Assert.Equal("Bearer federated-1", request.Header("Authorization"));
        using JsonDocument body = JsonDocument.Parse(request.Body);
        Assert.Equal("https://my-service-abc.a.run.app", body.RootElement.GetProperty("audience").GetString());
        Assert.True(body.RootElement.GetProperty("includeEmail").GetBoolean());
    }

    [Fact]
    public async Task GetAsync_NoImpersonation_UsesTheFederatedTokenWithTheUserScopes()
    {
        string config = Fixtures.FixtureFiles.Read("eks-irsa-file.json");
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(
            CrossCloudAuth.Google.ExternalAccountConfiguration.Parse(config.Replace("\"service_account_impersonation_url\"", "\"unused\"", StringComparison.Ordinal)),
            o =>
            {
                o.HttpClient = new HttpClient(_google);
                o.TimeProvider = _time;
                o.Environment = _environment;
                o.Scopes = [StorageReadOnly];
            });

        AuthToken token = await credential.GetAsync();

        Assert.Equal("federated-1", token.Token);
        Assert.Equal(Now.AddHours(1), token.ExpiresOn);
        Assert.Equal(StorageReadOnly, Assert.Single(_google.Requests).Form["scope"]);
        Assert.Equal("google-sts:token-exchange", credential.HopName);
        Assert.Throws<CredentialConfigurationException>(() => credential.GetIdTokenAsync("https://x.run.app").AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Create_InCodeWithoutAFile_RunsTheSamePipeline()
    {
        using GoogleFederatedCredential credential = GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
        {
            Audience = EksAudience,
            SubjectTokenSource = new CrossCloudAuth.Google.FileSubjectTokenSource(TokenPath, SubjectTokenTypes.Jwt, environment: _environment),
            ServiceAccountEmail = FakeGoogleEndpoints.ServiceAccount,
            QuotaProjectId = "billing-project",
            HttpClient = new HttpClient(_google),
            TimeProvider = _time,
        });

        AuthToken token = await credential.GetAsync();

        Assert.Equal("ya29.impersonated-1", token.Token);
        Assert.Equal(FakeGoogleEndpoints.ImpersonationUrl, _google.Requests[1].Url);
        Assert.Equal("billing-project", credential.QuotaProjectId);
    }

    [Fact]
    public async Task GetAsync_WorkforcePoolWithoutClientAuth_SendsUserProjectOptions()
    {
        string config = Fixtures.FixtureFiles.Read("url-json-all-fields.json").Replace("\"client_id\": \"client-id\",", string.Empty, StringComparison.Ordinal).Replace("\"client_secret\": \"client-secret-value\",", string.Empty, StringComparison.Ordinal);
        _google.On(HttpMethod.Get, "http://localhost:5000/token", _ => FakeGoogleEndpoints.Json("""{"id_token":"workforce-oidc"}"""));
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(
            CrossCloudAuth.Google.ExternalAccountConfiguration.Parse(config),
            o =>
            {
                o.HttpClient = new HttpClient(_google);
                o.TimeProvider = _time;
            });

        await credential.GetAsync();

        RecordedRequest subject = _google.Requests[0];
        Assert.Equal("True", subject.Header("Metadata"));
        IReadOnlyDictionary<string, string> form = _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Single().Form;
        Assert.Equal("workforce-oidc", form["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:id_token", form["subject_token_type"]);
        Assert.Equal("""{"userProject":"123456789"}""", form["options"]);
        Assert.Equal("7200s", JsonDocument.Parse(_google.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Single().Body).RootElement.GetProperty("lifetime").GetString());
    }

    [Fact]
    public async Task GetAsync_ClientCredentials_AuthenticatesWithBasicAndOmitsOptions()
    {
        _google.On(HttpMethod.Get, "http://localhost:5000/token", _ => FakeGoogleEndpoints.Json("""{"id_token":"workforce-oidc"}"""));
        using GoogleFederatedCredential credential = FromFixture("url-json-all-fields.json", _google, _time, _environment);

        await credential.GetAsync();

        RecordedRequest sts = _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Single();
        Assert.Equal($"Basic {Convert.ToBase64String("client-id:client-secret-value"u8.ToArray())}", sts.Header("Authorization"));
        Assert.False(sts.Form.ContainsKey("options"));
        Assert.Equal("my-quota-project", credential.QuotaProjectId);
    }

    [Theory]
    [InlineData("\"token_url\": \"https://sts.googleapis.com/v1/token\"", "\"token_url\": \"https://attacker.example/v1/token\"", "token_url")]
    [InlineData("https://iamcredentials.googleapis.com/", "https://iamcredentials.attacker.example/", "service_account_impersonation_url")]
    [InlineData("\"token_url\": \"https://sts.googleapis.com/v1/token\"", "\"token_url\": \"http://sts.googleapis.com/v1/token\"", "token_url")]
    public void FromConfiguration_UntrustedEndpoint_RefusesBeforeAnyRequest(string find, string replace, string field)
    {
        string config = Fixtures.FixtureFiles.Read("eks-irsa-file.json").Replace(find, replace, StringComparison.Ordinal);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() =>
            GoogleFederatedCredential.FromConfiguration(CrossCloudAuth.Google.ExternalAccountConfiguration.Parse(config), o => o.HttpClient = new HttpClient(_google)));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Empty(_google.Requests);
    }

    [Fact]
    public async Task FromConfiguration_EmulatorEndpointsWithOverride_AreUsed()
    {
        string config = Fixtures.FixtureFiles.Read("eks-irsa-file.json")
            .Replace("https://sts.googleapis.com/v1/token", "http://127.0.0.1:8181/v1/token", StringComparison.Ordinal)
            .Replace("https://iamcredentials.googleapis.com/", "http://127.0.0.1:8181/", StringComparison.Ordinal);
        _google
            .On(HttpMethod.Post, "http://127.0.0.1:8181/v1/token", _ => FakeGoogleEndpoints.StsToken("emulated-federated"))
            .On(HttpMethod.Post, "http://127.0.0.1:8181/v1/projects/", _ => FakeGoogleEndpoints.IamToken("emulated", "2026-11-23T13:00:00Z"));
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(
            CrossCloudAuth.Google.ExternalAccountConfiguration.Parse(config),
            o =>
            {
                o.HttpClient = new HttpClient(_google);
                o.TimeProvider = _time;
                o.Environment = _environment;
                o.AllowNonStandardEndpoints = true;
            });

        Assert.Equal("emulated", (await credential.GetAsync()).Token);
    }

    [Fact]
    public void FromConfiguration_ExecutableWithoutOptIn_Refuses()
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() =>
            FromFixture("executable.json", _google, _time, _environment));

        Assert.Contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromEnvironmentAsync_GoogleApplicationCredentials_BuildsTheCredential()
    {
        _environment.Set("GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp/config.json").WithFile("/etc/gcp/config.json", Fixtures.FixtureFiles.Read("eks-irsa-file.json"));

        using GoogleFederatedCredential credential = await GoogleFederatedCredential.FromEnvironmentAsync(
            o =>
            {
                o.HttpClient = new HttpClient(_google);
                o.TimeProvider = _time;
            },
            new CredentialContext { Environment = _environment });

        Assert.Equal("ya29.impersonated-1", (await credential.GetAsync()).Token);
    }
}
