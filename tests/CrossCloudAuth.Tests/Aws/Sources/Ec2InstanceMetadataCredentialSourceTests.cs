using System.Net;
using System.Threading.Channels;
using CrossCloudAuth.Http;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Sources;

public sealed class Ec2InstanceMetadataCredentialSourceTests : AwsCredentialSourceContractTests
{
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";
    private const string TokenPath = "/latest/api/token";
    private const string ImdsToken = "IMDSSESSIONTOKEN-AQAEAHn5";

    protected override string HopPrefix => "aws-imds:";

    protected override string[] ExtraSecrets => [ImdsToken];

    private Ec2InstanceMetadataCredentialSourceOptions Options { get; } = new() { Retry = new HopRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.Zero } };

    protected override ICredentialProvider<AwsCredentials> CreateSource() => CreateImds();

    protected override void ArrangeAvailable() => ArrangeImds();

    protected override void ArrangeUnavailable() =>
        Http.On(HttpMethod.Put, TokenPath, FakeHttpHandler.Fail(new HttpRequestException("Network is unreachable")));

    protected override bool ArrangeRejected()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1), code: "AssumeRoleUnauthorizedAccess"))
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.OK, "web-role\n");
        return true;
    }

    [Fact]
    public async Task GetAsync_ImdsV2_SendsSessionTokenWith300SecondTtl()
    {
        ArrangeImds();

        await CreateImds().GetAsync();

        RecordedRequest put = Assert.Single(Http.Requests, r => r.Method == HttpMethod.Put);
        Assert.Equal("http://169.254.169.254/latest/api/token", put.Uri.ToString());
        Assert.Equal("300", put.Headers["X-aws-ec2-metadata-token-ttl-seconds"]);
        Assert.All(Http.Requests.Where(r => r.Method == HttpMethod.Get), r => Assert.Equal(ImdsToken, r.Headers["X-aws-ec2-metadata-token"]));
        Assert.Contains(Http.Requests, r => r.Uri.AbsolutePath == CredentialsPath + "web-role");
    }

    [Fact]
    public async Task GetAsync_TwoCallsWithinTokenLifetime_ReusesSessionToken()
    {
        ArrangeImds();
        Ec2InstanceMetadataCredentialSource source = CreateImds();

        await source.GetAsync();
        Time.Advance(TimeSpan.FromSeconds(200));
        await source.GetAsync();

        Assert.Single(Http.Requests, r => r.Method == HttpMethod.Put);
    }

    [Fact]
    public async Task GetAsync_SessionTokenAboutToExpire_RequestsNewOne()
    {
        ArrangeImds();
        Ec2InstanceMetadataCredentialSource source = CreateImds();

        await source.GetAsync();
        Time.Advance(TimeSpan.FromSeconds(241));
        await source.GetAsync();

        Assert.Equal(2, Http.Requests.Count(r => r.Method == HttpMethod.Put));
    }

    [Fact]
    public async Task GetAsync_ReadAnswers401Once_RenewsSessionTokenAndSucceeds()
    {
        Http.On(HttpMethod.Put, TokenPath, FakeHttpHandler.Respond(HttpStatusCode.OK, "old-token"), FakeHttpHandler.Respond(HttpStatusCode.OK, ImdsToken))
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1)))
            .On(HttpMethod.Get, CredentialsPath, FakeHttpHandler.Respond(HttpStatusCode.Unauthorized, ""), FakeHttpHandler.Respond(HttpStatusCode.OK, "web-role"));

        AwsCredentials credentials = await CreateImds().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Equal(2, Http.Requests.Count(r => r.Method == HttpMethod.Put));
    }

    [Fact]
    public async Task GetAsync_ReadAnswers401Twice_ThrowsAuthenticationFailed()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.Unauthorized);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateImds().GetAsync().AsTask());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(2, Http.Requests.Count(r => r.Method == HttpMethod.Put));
        AwsTestData.AssertNoSecret(error, ImdsToken);
    }

    [Fact]
    public async Task GetAsync_MetadataDisabledByEnvironment_ThrowsUnavailableWithoutRequest()
    {
        ArrangeImds();
        Environment.Set("AWS_EC2_METADATA_DISABLED", "true");

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateImds().GetAsync().AsTask());

        Assert.Contains("AWS_EC2_METADATA_DISABLED", error.Message, StringComparison.Ordinal);
        Assert.Empty(Http.Requests);
    }

    [Fact]
    public async Task GetAsync_HostNeverAnswers_FailsAfterBoundedAttemptsWithHopLimitHint()
    {
        Channel<bool> hung = Channel.CreateUnbounded<bool>();
        Http.On(HttpMethod.Put, TokenPath, async request =>
        {
            hung.Writer.TryWrite(true);
            await Task.Delay(Timeout.Infinite, request.Options.TryGetValue(FakeHttpHandler.CancellationKey, out CancellationToken token) ? token : default);
            throw new InvalidOperationException("unreachable");
        });

        Task<AwsCredentials> fetch = CreateImds().GetAsync().AsTask();
        for (int attempt = 0; attempt < Options.Retry!.MaxAttempts; attempt++)
        {
            await hung.Reader.ReadAsync();
            Time.Advance(Options.RequestTimeout);
        }

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => fetch);
        Assert.Contains("hop limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Http.Requests.Count);
    }

    [Fact]
    public async Task GetAsync_TokenEndpointMissingAndV1NotAllowed_ThrowsConfiguration()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.NotFound);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateImds().GetAsync().AsTask());

        Assert.Contains("AllowImdsV1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TokenEndpointMissingAndV1Allowed_FallsBackWithoutToken()
    {
        Options.AllowImdsV1 = true;
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.MethodNotAllowed)
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1)))
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.OK, "web-role");

        await CreateImds().GetAsync();

        Assert.All(Http.Requests.Where(r => r.Method == HttpMethod.Get), r => Assert.False(r.Headers.ContainsKey("X-aws-ec2-metadata-token")));
    }

    [Fact]
    public async Task GetAsync_NoRoleAttached_ThrowsUnavailable()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken).On(HttpMethod.Get, CredentialsPath, HttpStatusCode.NotFound);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateImds().GetAsync().AsTask());

        Assert.Contains("instance profile", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"Code\":\"Success\"}")]
    [InlineData("{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\",\"Expiration\":\"yesterday\"}")]
    [InlineData("null")]
    public async Task GetAsync_MalformedDocument_ThrowsTransientAuthenticationFailed(string body)
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, body)
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.OK, "web-role");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateImds().GetAsync().AsTask());

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GetAsync_AlreadyExpiredCredentials_ThrowsTransientAuthenticationFailed()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddMinutes(-1)))
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.OK, "web-role");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateImds().GetAsync().AsTask());

        Assert.Equal("ExpiredCredentials", error.ErrorCode);
    }

    [Fact]
    public async Task GetAsync_ServerErrorThenSuccess_Retries()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath + "web-role", FakeHttpHandler.Respond(HttpStatusCode.ServiceUnavailable, ""), FakeHttpHandler.Respond(HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1))))
            .On(HttpMethod.Get, CredentialsPath, HttpStatusCode.OK, "web-role");

        AwsCredentials credentials = await CreateImds().GetAsync();

        Assert.Equal(AwsTestData.Now.AddHours(1), credentials.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_ExplicitRoleName_SkipsListing()
    {
        Options.RoleName = "web-role";
        ArrangeImds();

        await CreateImds().GetAsync();

        Assert.DoesNotContain(Http.Requests, r => r.Uri.AbsolutePath == CredentialsPath);
    }

    [Theory]
    [InlineData("http://attacker.example.com/latest/meta-data/iam/security-credentials")]
    [InlineData("http://10.0.0.1/latest/meta-data/iam/security-credentials")]
    public void Ctor_CredentialsUrlNotMetadataHost_ThrowsConfiguration(string url)
    {
        Options.CredentialsUrl = new Uri(url);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => CreateImds());

        Assert.Contains("AllowAnyEndpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctor_CredentialsUrlElsewhereWithAllowAnyEndpoint_Accepts()
    {
        Options.CredentialsUrl = new Uri("http://10.0.0.1/latest/meta-data/iam/security-credentials");
        Options.AllowAnyEndpoint = true;

        Assert.NotNull(CreateImds());
    }

    [Fact]
    public async Task GetAsync_Aws1ConfigurationUrls_UsesThem()
    {
        // The credential_source of seed 003's gcloud configuration, plus an IMDSv2 token URL.
        Options.CredentialsUrl = new Uri("http://169.254.169.254/latest/meta-data/iam/security-credentials");
        Options.RegionUrl = new Uri("http://169.254.169.254/latest/meta-data/placement/availability-zone");
        Options.SessionTokenUrl = new Uri("http://169.254.169.254/latest/api/token");
        ArrangeImds();
        Http.On(HttpMethod.Get, "/latest/meta-data/placement/availability-zone", HttpStatusCode.OK, "ap-northeast-1a");
        Ec2InstanceMetadataCredentialSource source = CreateImds();

        AwsCredentials credentials = await source.GetAsync();
        string region = await source.GetRegionAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Equal("ap-northeast-1", region);
        Assert.Contains(Http.Requests, r => r.Uri.ToString() == "http://169.254.169.254/latest/meta-data/iam/security-credentials/web-role");
    }

    [Fact]
    public async Task GetRegionAsync_Default_ReadsPlacementRegionOnce()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken).On(HttpMethod.Get, "/latest/meta-data/placement/region", HttpStatusCode.OK, "eu-central-1");
        Ec2InstanceMetadataCredentialSource source = CreateImds();

        Assert.Equal("eu-central-1", await source.GetRegionAsync());
        Assert.Equal("eu-central-1", await source.GetRegionAsync());

        Assert.Single(Http.Requests, r => r.Method == HttpMethod.Get);
    }

    [Fact]
    public async Task GetRegionAsync_NoRegionDocument_FallsBackToAvailabilityZone()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, "/latest/meta-data/placement/region", HttpStatusCode.NotFound)
            .On(HttpMethod.Get, "/latest/meta-data/placement/availability-zone", HttpStatusCode.OK, "us-east-2b");

        Assert.Equal("us-east-2", await CreateImds().GetRegionAsync());
    }

    [Fact]
    public async Task GetRegionAsync_GarbageAnswer_ThrowsAuthenticationFailed()
    {
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken).On(HttpMethod.Get, "/latest/meta-data/placement/region", HttpStatusCode.OK, "<html>captive portal</html>");

        await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateImds().GetRegionAsync().AsTask());
    }

    [Fact]
    public async Task GetAsync_EndpointFromEnvironment_UsesIt()
    {
        Environment.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338");
        ArrangeImds();

        await CreateImds().GetAsync();

        Assert.All(Http.Requests, r => Assert.Equal("127.0.0.1:1338", r.Uri.Authority));
    }

    [Fact]
    public async Task GetAsync_Ipv6EndpointMode_UsesIpv6Address()
    {
        Environment.Set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
        ArrangeImds();

        await CreateImds().GetAsync();

        Assert.All(Http.Requests, r => Assert.Equal("[fd00:ec2::254]", r.Uri.Host));
    }

    private Ec2InstanceMetadataCredentialSource CreateImds()
    {
        Options.HttpClient = Http.CreateClient();
        return new Ec2InstanceMetadataCredentialSource(Options, Environment, Time);
    }

    private void ArrangeImds() =>
        Http.On(HttpMethod.Put, TokenPath, HttpStatusCode.OK, ImdsToken)
            .On(HttpMethod.Get, CredentialsPath + "web-role", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1)))
            .On(HttpMethod.Get, CredentialsPath.TrimEnd('/'), HttpStatusCode.OK, "web-role\n");
}
