using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Sources;

public sealed class WebIdentityCredentialSourceTests : AwsCredentialSourceContractTests
{
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    protected override string HopPrefix => "aws-sts:AssumeRoleWithWebIdentity";

    protected override string[] ExtraSecrets => [Fixtures.ProjectedToken, "SIGNATUREdG9rZW5TRUNSRVQ"];

    private WebIdentityCredentialSourceOptions Options { get; } = new();

    protected override ICredentialProvider<AwsCredentials> CreateSource() => CreateWebIdentity();

    protected override void ArrangeAvailable()
    {
        ArrangePod();
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));
    }

    protected override void ArrangeUnavailable()
    {
    }

    protected override bool ArrangeRejected()
    {
        ArrangePod();
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(HttpStatusCode.Forbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"));
        return true;
    }

    [Fact]
    public async Task GetAsync_Seed002PodEnvironment_CallsAssumeRoleWithWebIdentityWithTokenFromFile()
    {
        ArrangeAvailable();
        Environment.Set("AWS_ROLE_SESSION_NAME", "mh9test");

        AwsCredentials credentials = await CreateWebIdentity().GetAsync();

        RecordedRequest request = Assert.Single(Http.Requests);
        Assert.Equal("https://sts.us-east-1.amazonaws.com/", request.Uri.ToString());
        IReadOnlyDictionary<string, string> form = StsResponses.Form(request);
        Assert.Equal("AssumeRoleWithWebIdentity", form["Action"]);
        Assert.Equal("arn:aws:iam::1234567890:role/my-example-workload-role-1", form["RoleArn"]);
        Assert.Equal("mh9test", form["RoleSessionName"]);
        Assert.Equal(Fixtures.ProjectedToken, form["WebIdentityToken"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal(AwsTestData.SessionToken, credentials.SessionToken);
    }

    [Fact]
    public async Task GetAsync_TokenRotatedBetweenCalls_SendsTheNewToken()
    {
        ArrangeAvailable();
        WebIdentityCredentialSource source = CreateWebIdentity();
        await source.GetAsync();

        string rotated = Fixtures.ProjectedToken.Replace("SIGNATURE", "ROTATED", StringComparison.Ordinal);
        Environment.WithFile(TokenFile, rotated + "\n");
        await source.GetAsync();

        Assert.Equal(rotated, StsResponses.Form(Http.Requests[1])["WebIdentityToken"]);
        Assert.Equal(2, Environment.FileReads);
    }

    [Fact]
    public async Task GetAsync_RegionAndEndpointOverride_UseThem()
    {
        ArrangeAvailable();
        Environment.Set("AWS_REGION", "eu-west-1");
        Options.Sts.ServiceUrl = new Uri("http://127.0.0.1:4566");

        await CreateWebIdentity().GetAsync();

        Assert.Equal("http://127.0.0.1:4566/", Http.Requests[0].Uri.ToString());
    }

    [Fact]
    public async Task GetAsync_RegionFromEnvironment_UsesRegionalEndpoint()
    {
        ArrangeAvailable();
        Environment.Set("AWS_DEFAULT_REGION", "ap-northeast-1");

        await CreateWebIdentity().GetAsync();

        Assert.Equal("sts.ap-northeast-1.amazonaws.com", Http.Requests[0].Uri.Host);
    }

    [Fact]
    public async Task GetAsync_TokenFileMissing_ThrowsUnavailableNamingFile()
    {
        ArrangeAvailable();
        Environment.RemoveFile(TokenFile);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Equal("file:" + TokenFile, error.HopName);
        Assert.Empty(Http.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public async Task GetAsync_TokenFileEmpty_ThrowsUnavailable(string content)
    {
        ArrangeAvailable();
        Environment.WithFile(TokenFile, content);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Equal("file:" + TokenFile, error.HopName);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("{\"token\":\"abc.def.ghi\"}")]
    public async Task GetAsync_TokenFileNotAJwt_ThrowsConfigurationWithoutContent(string content)
    {
        ArrangeAvailable();
        Environment.WithFile(TokenFile, content);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Equal("file:" + TokenFile, error.HopName);
        if (content.Trim().Length > 3)
        {
            Assert.DoesNotContain(content.Trim(), error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetAsync_TokenFileUnreadable_ThrowsConfiguration()
    {
        ArrangeAvailable();
        Environment.WithFileError(TokenFile, new UnauthorizedAccessException("denied"));

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Contains("fsGroup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_VerificationKeyUnavailable_ExplainsThePublicDiscoveryRequirement()
    {
        ArrangePod();
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(HttpStatusCode.BadRequest, "InvalidIdentityToken",
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Equal("InvalidIdentityToken", error.ErrorCode);
        Assert.Contains("Couldn't retrieve verification key", error.Message, StringComparison.Ordinal);
        Assert.Contains("public", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("aws-sts:AssumeRoleWithWebIdentity(arn:aws:iam::1234567890:role/my-example-workload-role-1)", error.HopName, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error, ExtraSecrets);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "InvalidIdentityToken", "Incorrect token audience", false)]
    [InlineData(HttpStatusCode.BadRequest, "ExpiredTokenException", "Token expired: current date/time 1700000000 must be before the expiration date/time 1600000000", false)]
    [InlineData(HttpStatusCode.Forbidden, "RegionDisabledException", "STS is not activated in this region for account:1234567890.", false)]
    [InlineData(HttpStatusCode.BadRequest, "IDPCommunicationError", "Couldn't connect to the IdP", true)]
    [InlineData(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded", true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "Service unavailable", true)]
    public async Task GetAsync_StsError_MapsToTypedErrorWithTransience(HttpStatusCode status, string code, string message, bool transient)
    {
        ArrangePod();
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(status, code, message, (int)status >= 500 ? "Receiver" : "Sender"));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.Equal(transient, error.IsTransient);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error, ExtraSecrets);
    }

    [Theory]
    [InlineData("<garbage")]
    [InlineData("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")]
    public async Task GetAsync_MalformedXml_ThrowsTransientAuthenticationFailed(string body)
    {
        ArrangePod();
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(body));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateWebIdentity().GetAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Equal("MalformedResponse", error.ErrorCode);
    }

    [Fact]
    public async Task GetAsync_StsNeverAnswers_TimesOutWithTransientError()
    {
        ArrangePod();
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Http.On(HttpMethod.Post, "/", FakeHttpHandler.Hang(started));

        Task<AwsCredentials> fetch = CreateWebIdentity().GetAsync().AsTask();
        await started.Task;
        Time.Advance(Options.Sts.Timeout);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => fetch);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GetAsync_CallerCancels_ThrowsOperationCanceled()
    {
        ArrangePod();
        TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Http.On(HttpMethod.Post, "/", FakeHttpHandler.Hang(started));
        using CancellationTokenSource cancel = new();

        Task<AwsCredentials> fetch = CreateWebIdentity().GetAsync(cancel.Token).AsTask();
        await started.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch);
    }

    [Theory]
    [InlineData("arn:aws:iam::1234567890:user/not-a-role")]
    [InlineData("my-role")]
    public void Ctor_InvalidRoleArn_ThrowsConfiguration(string roleArn)
    {
        ArrangePod();
        Environment.Set("AWS_ROLE_ARN", roleArn);

        Assert.Throws<CredentialConfigurationException>(() => CreateWebIdentity());
    }

    [Fact]
    public void Ctor_InvalidSessionName_ThrowsConfiguration()
    {
        ArrangePod();
        Options.RoleSessionName = "has spaces";

        Assert.Throws<CredentialConfigurationException>(() => CreateWebIdentity());
    }

    [Fact]
    public async Task GetAsync_RelativeTokenPath_ThrowsConfigurationAtConstruction()
    {
        ArrangePod();
        Environment.Set("AWS_WEB_IDENTITY_TOKEN_FILE", "token");

        await Task.Yield();
        Assert.Throws<CredentialConfigurationException>(() => CreateWebIdentity());
    }

    private void ArrangePod()
    {
        foreach ((string name, string value) in Fixtures.ReadEnv("seed002-pod.env"))
        {
            Environment.Set(name, value);
        }

        Environment.WithFile(TokenFile, Fixtures.ProjectedToken + "\n");
    }

    private WebIdentityCredentialSource CreateWebIdentity()
    {
        Options.Sts.HttpClient = Http.CreateClient();
        Options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        return new WebIdentityCredentialSource(Options, Environment, Time);
    }
}
