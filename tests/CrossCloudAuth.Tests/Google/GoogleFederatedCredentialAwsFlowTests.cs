using System.Net;
using System.Text.Json;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google;

/// <summary>Flow F2: EC2 instance metadata (IMDSv2) → aws4_request subject → Google STS → impersonation, scripted end to end.</summary>
public sealed class GoogleFederatedCredentialAwsFlowTests
{
    private const string Imds = "http://169.254.169.254";
    private const string VerificationUrl = "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly FakeGoogleEndpoints _fake = new();

    public GoogleFederatedCredentialAwsFlowTests()
    {
        _fake
            .On(HttpMethod.Put, $"{Imds}/latest/api/token", _ => FakeGoogleEndpoints.Text("imds-session-token"))
            .On(HttpMethod.Get, $"{Imds}/latest/meta-data/iam/security-credentials", _ => FakeGoogleEndpoints.Text("ec2-role"))
            .On(HttpMethod.Get, $"{Imds}/latest/meta-data/iam/security-credentials/ec2-role", _ => FakeGoogleEndpoints.Json(AwsTestData.CredentialJson(Now.AddHours(6))))
            .On(HttpMethod.Get, $"{Imds}/latest/meta-data/placement/availability-zone", _ => FakeGoogleEndpoints.Text("us-east-2b"))
            .OnSts(_ => FakeGoogleEndpoints.StsToken("federated-aws"))
            .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken("ya29.from-aws", "2026-11-23T13:00:00Z"));
    }

    [Fact]
    public async Task GetAsync_Ec2Configuration_ScriptsImdsStsAndIam()
    {
        using GoogleFederatedCredential credential = FromFixture("ec2-aws1.json", _fake, _time, _environment, o => o.Scopes = ["https://www.googleapis.com/auth/bigquery"]);

        AuthToken token = await credential.GetAsync();

        Assert.Equal("ya29.from-aws", token.Token);

        // Instance metadata: an IMDSv2 session token, then every GET carries it.
        RecordedRequest put = _fake.Requests.First(r => r.Method == HttpMethod.Put);
        Assert.Equal($"{Imds}/latest/api/token", put.Url);
        Assert.Equal("300", put.Header("X-aws-ec2-metadata-token-ttl-seconds"));
        Assert.All(_fake.Requests.Where(r => r.Url.StartsWith(Imds, StringComparison.Ordinal) && r.Method == HttpMethod.Get), r => Assert.Equal("imds-session-token", r.Header("X-aws-ec2-metadata-token")));

        // STS: the aws4_request subject token, URL-encoded JSON of a signed GetCallerIdentity request.
        RecordedRequest sts = _fake.RequestsTo(FakeGoogleEndpoints.StsUrl).Single();
        IReadOnlyDictionary<string, string> form = sts.Form;
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", form["grant_type"]);
        Assert.Equal(AwsAudience, form["audience"]);
        Assert.Equal(CloudPlatform, form["scope"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", form["requested_token_type"]);
        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", form["subject_token_type"]);
        Assert.Equal(6, form.Count);

        using JsonDocument subject = JsonDocument.Parse(Uri.UnescapeDataString(form["subject_token"]));
        Assert.Equal(VerificationUrl, subject.RootElement.GetProperty("url").GetString());
        Assert.Equal("POST", subject.RootElement.GetProperty("method").GetString());
        Dictionary<string, string> headers = subject.RootElement.GetProperty("headers").EnumerateArray()
            .ToDictionary(h => h.GetProperty("key").GetString()!.ToLowerInvariant(), h => h.GetProperty("value").GetString()!);
        Assert.Equal("sts.us-east-2.amazonaws.com", headers["host"]);
        Assert.Equal("20261123T120000Z", headers["x-amz-date"]);
        Assert.Equal(AwsTestData.SessionToken, headers["x-amz-security-token"]);
        Assert.Equal(AwsAudience, headers["x-goog-cloud-target-resource"]);
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={AwsTestData.AccessKeyId}/20261123/us-east-2/sts/aws4_request, SignedHeaders=", headers["authorization"], StringComparison.Ordinal);
        Assert.Contains("x-goog-cloud-target-resource", headers["authorization"], StringComparison.Ordinal);

        // IAM: the user's scopes, with the federated token.
        RecordedRequest iam = _fake.RequestsTo(FakeGoogleEndpoints.ImpersonationUrl).Single();
        Assert.Equal("Bearer federated-aws", iam.Header("Authorization"));
        Assert.Equal(["https://www.googleapis.com/auth/bigquery"], JsonDocument.Parse(iam.Body).RootElement.GetProperty("scope").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task GetAsync_Seed003FileWithoutImdsv2Url_StillUsesASessionToken()
    {
        using GoogleFederatedCredential credential = FromFixture("ec2-aws1-no-imdsv2.json", _fake, _time, _environment);

        AuthToken token = await credential.GetAsync();

        Assert.Equal("ya29.from-aws", token.Token);
        Assert.Contains(_fake.Requests, r => r.Method == HttpMethod.Put && r.Url == $"{Imds}/latest/api/token");
        Assert.All(_fake.Requests.Where(r => r.Url.StartsWith(Imds, StringComparison.Ordinal) && r.Method == HttpMethod.Get), r => Assert.Equal("imds-session-token", r.Header("X-aws-ec2-metadata-token")));
    }

    [Fact]
    public async Task GetAsync_EnvironmentCredentialsAndRegion_TakePrecedenceOverMetadata()
    {
        _environment
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENTKEY01")
            .Set("AWS_SECRET_ACCESS_KEY", "env-secret")
            .Set("AWS_DEFAULT_REGION", "eu-west-1")
            .Set("AWS_REGION", "ap-northeast-1");
        using GoogleFederatedCredential credential = FromFixture("ec2-aws1.json", _fake, _time, _environment);

        await credential.GetAsync();

        Assert.DoesNotContain(_fake.Requests, r => r.Url.StartsWith(Imds, StringComparison.Ordinal));
        string subject = Uri.UnescapeDataString(_fake.RequestsTo(FakeGoogleEndpoints.StsUrl).Single().Form["subject_token"]);
        Assert.Contains("https://sts.ap-northeast-1.amazonaws.com?Action=GetCallerIdentity", subject, StringComparison.Ordinal);
        Assert.Contains("Credential=AKIAENVIRONMENTKEY01/20261123/ap-northeast-1/sts/aws4_request", subject, StringComparison.Ordinal);
        Assert.DoesNotContain("x-amz-security-token", subject, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task GetAsync_DefaultRegionOnly_IsUsedInsteadOfRegionUrl()
    {
        _environment.Set("AWS_DEFAULT_REGION", "eu-west-1");
        using GoogleFederatedCredential credential = FromFixture("ec2-aws1.json", _fake, _time, _environment);

        await credential.GetAsync();

        Assert.DoesNotContain(_fake.Requests, r => r.Url.EndsWith("availability-zone", StringComparison.Ordinal));
        Assert.Contains("sts.eu-west-1.amazonaws.com", Uri.UnescapeDataString(_fake.RequestsTo(FakeGoogleEndpoints.StsUrl).Single().Form["subject_token"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials", "http://attacker.example/latest/meta-data/iam/security-credentials", "credential_source.url")]
    [InlineData("http://169.254.169.254/latest/api/token", "http://10.0.0.1/latest/api/token", "credential_source.imdsv2_session_token_url")]
    [InlineData("http://169.254.169.254/latest/meta-data/placement/availability-zone", "http://attacker.example/az", "credential_source.region_url")]
    public void FromConfiguration_MetadataUrlNotLinkLocal_Refuses(string find, string replace, string field)
    {
        string config = Fixtures.FixtureFiles.Read("ec2-aws1.json").Replace(find, replace, StringComparison.Ordinal);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() =>
            GoogleFederatedCredential.FromConfiguration(CrossCloudAuth.Google.ExternalAccountConfiguration.Parse(config), o => o.HttpClient = new HttpClient(_fake)));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task GetAsync_PermissionDenied_NamesTheAwsRolePrincipalSetBinding()
    {
        _fake.OnGenerateAccessToken(_ => FakeGoogleEndpoints.Json(
            """{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"IAM_PERMISSION_DENIED","domain":"iam.googleapis.com","metadata":{"permission":"iam.serviceAccounts.getAccessToken"}}]}}""",
            HttpStatusCode.Forbidden));
        using GoogleFederatedCredential credential = FromFixture("ec2-aws1.json", _fake, _time, _environment);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => credential.GetAsync().AsTask());

        Assert.Equal("iam-credentials:generateAccessToken(sa01@my-project.iam.gserviceaccount.com)", error.HopName);
        Assert.Equal("PERMISSION_DENIED", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Contains("roles/iam.workloadIdentityUser", error.Message, StringComparison.Ordinal);
        Assert.Contains("principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/mypool01/attribute.aws_role/arn:aws:sts::AWS_ACCOUNT_ID:assumed-role/ROLE_NAME", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\"", error.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error, "federated-aws", "imds-session-token");
    }
}
