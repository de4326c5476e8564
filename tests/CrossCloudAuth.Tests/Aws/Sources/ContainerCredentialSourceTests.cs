using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Sources;

public sealed class ContainerCredentialSourceTests : AwsCredentialSourceContractTests
{
    private const string PodIdentityTokenFile = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token";
    private const string PodIdentityToken = "PODIDENTITYTOKENeyJhbGciOiJSUzI1NiJ9SECRET";

    protected override string HopPrefix => "aws-container:credentials";

    protected override string[] ExtraSecrets => [PodIdentityToken];

    private ContainerCredentialSourceOptions Options { get; } = new() { Retry = new HopRetryOptions { BaseDelay = TimeSpan.Zero } };

    protected override ICredentialProvider<AwsCredentials> CreateSource() => CreateContainer();

    protected override void ArrangeAvailable()
    {
        ArrangePodIdentity();
        Http.On(HttpMethod.Get, "/v1/credentials", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1)), "application/json");
    }

    protected override void ArrangeUnavailable()
    {
    }

    protected override bool ArrangeRejected()
    {
        ArrangePodIdentity();
        Http.On(HttpMethod.Get, "/v1/credentials", HttpStatusCode.Forbidden, "{\"Code\":\"AccessDeniedException\",\"Message\":\"Invalid token\"}", "application/json");
        return true;
    }

    [Fact]
    public async Task GetAsync_EksPodIdentity_SendsTokenFromFileAsAuthorization()
    {
        ArrangeAvailable();

        await CreateContainer().GetAsync();

        RecordedRequest request = Assert.Single(Http.Requests);
        Assert.Equal("http://169.254.170.23/v1/credentials", request.Uri.ToString());
        Assert.Equal(PodIdentityToken, request.Headers["Authorization"]);
    }

    [Fact]
    public async Task GetAsync_TokenFileRotated_ReadsItOnEveryCall()
    {
        ArrangeAvailable();
        ContainerCredentialSource source = CreateContainer();
        await source.GetAsync();

        Environment.WithFile(PodIdentityTokenFile, "ROTATED-TOKEN");
        await source.GetAsync();

        Assert.Equal("ROTATED-TOKEN", Http.Requests[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task GetAsync_EcsRelativeUri_CallsTheEcsEndpointWithoutAuthorization()
    {
        Environment.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/0a1b2c3d");
        Environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
        Http.On(HttpMethod.Get, "/v2/credentials/", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(6)), "application/json");

        AwsCredentials credentials = await CreateContainer().GetAsync();

        RecordedRequest request = Assert.Single(Http.Requests);
        Assert.Equal("http://169.254.170.2/v2/credentials/0a1b2c3d", request.Uri.ToString());
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal(AwsTestData.Now.AddHours(6), credentials.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_TokenFromVariable_SendsIt()
    {
        Environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/creds").Set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc");
        Http.On(HttpMethod.Get, "/creds", HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1)));

        await CreateContainer().GetAsync();

        Assert.Equal("Basic abc", Http.Requests[0].Headers["Authorization"]);
    }

    [Theory]
    [InlineData("http://169.254.170.23/v1/credentials")]
    [InlineData("http://[fd00:ec2::23]/v1/credentials")]
    [InlineData("http://169.254.170.2/get-credentials")]
    [InlineData("http://127.0.0.1:9999/creds")]
    [InlineData("http://[::1]:9999/creds")]
    [InlineData("http://localhost:9999/creds")]
    [InlineData("https://credentials.example.com/creds")]
    public void Ctor_AllowedFullUri_Accepts(string url)
    {
        Environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);

        Assert.StartsWith("aws-container:credentials(", CreateContainer().HopName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.5/creds")]
    [InlineData("http://credentials.example.com/creds")]
    [InlineData("ftp://127.0.0.1/creds")]
    [InlineData("not a url")]
    public void Ctor_DisallowedFullUri_ThrowsConfiguration(string url)
    {
        Environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", url);

        Assert.Throws<CredentialConfigurationException>(() => CreateContainer());
    }

    [Fact]
    public async Task GetAsync_TokenWithLineBreak_RefusesWithoutSending()
    {
        ArrangeAvailable();
        Environment.WithFile(PodIdentityTokenFile, "abc\r\nX-Injected: 1");

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateContainer().GetAsync().AsTask());

        Assert.Contains("line break", error.Message, StringComparison.Ordinal);
        Assert.Empty(Http.Requests);
    }

    [Fact]
    public async Task GetAsync_TokenFileMissing_ThrowsConfigurationNamingFile()
    {
        ArrangeAvailable();
        Environment.RemoveFile(PodIdentityTokenFile);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateContainer().GetAsync().AsTask());

        Assert.Equal("file:" + PodIdentityTokenFile, error.HopName);
    }

    [Fact]
    public async Task GetAsync_AgentUnreachable_RetriesThenThrowsUnavailable()
    {
        ArrangePodIdentity();
        Http.On(HttpMethod.Get, "/v1/credentials", FakeHttpHandler.Fail(new HttpRequestException("Connection refused")));

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateContainer().GetAsync().AsTask());

        Assert.Equal(3, Http.Requests.Count);
        Assert.Contains("eks-pod-identity-agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ServerErrorThenSuccess_Retries()
    {
        ArrangePodIdentity();
        Http.On(HttpMethod.Get, "/v1/credentials",
            FakeHttpHandler.Respond(HttpStatusCode.InternalServerError, "oops"),
            FakeHttpHandler.Respond(HttpStatusCode.OK, AwsTestData.CredentialJson(AwsTestData.Now.AddHours(1))));

        AwsCredentials credentials = await CreateContainer().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_Rejected_ExplainsTokenAndAssociation()
    {
        ArrangeRejected();

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateContainer().GetAsync().AsTask());

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("pod identity association", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TemporaryCredentialsWithoutExpiration_AreTrustedForFifteenMinutes()
    {
        ArrangePodIdentity();
        Http.On(HttpMethod.Get, "/v1/credentials", HttpStatusCode.OK,
            $"{{\"AccessKeyId\":\"{AwsTestData.AccessKeyId}\",\"SecretAccessKey\":\"{AwsTestData.SecretAccessKey}\",\"Token\":\"{AwsTestData.SessionToken}\"}}");

        AwsCredentials credentials = await CreateContainer().GetAsync();

        Assert.Equal(AwsTestData.Now.AddMinutes(15), credentials.ExpiresOn);
    }

    private void ArrangePodIdentity() =>
        Environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", PodIdentityTokenFile)
            .WithFile(PodIdentityTokenFile, PodIdentityToken + "\n");

    private ContainerCredentialSource CreateContainer()
    {
        Options.HttpClient = Http.CreateClient();
        return new ContainerCredentialSource(Options, Environment, Time);
    }
}
