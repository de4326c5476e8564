using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Tests.Aws.Sources;

public sealed class AssumeRoleCredentialSourceTests : AwsCredentialSourceContractTests
{
    private const string TargetRole = "arn:aws:iam::222222222222:role/target-account-iam-role";

    protected override string HopPrefix => "aws-sts:AssumeRole(";

    private AssumeRoleCredentialSourceOptions Options { get; } = new() { RoleArn = TargetRole, RoleSessionName = "xactarget" };

    private CallerSource Caller { get; } = new();

    protected override ICredentialProvider<AwsCredentials> CreateSource() => CreateAssumeRole(Caller);

    protected override void ArrangeAvailable() =>
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));

    protected override void ArrangeUnavailable() =>
        Caller.Error = new CredentialSourceUnavailableException("aws-sts:AssumeRole(caller-unavailable)", "The caller has no credentials here.");

    protected override bool ArrangeRejected()
    {
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(HttpStatusCode.Forbidden, "AccessDenied",
            "User: arn:aws:sts::111111111111:assumed-role/ci-account-iam-role/s is not authorized to perform: sts:AssumeRole on resource: " + TargetRole));
        return true;
    }

    [Fact]
    public async Task GetAsync_SignsAssumeRoleWithCallerCredentialsAndSendsAllParameters()
    {
        ArrangeAvailable();
        Options.ExternalId = "ext-123";
        Options.SourceIdentity = "ci-pipeline";
        Options.Tags["team"] = "platform";
        Options.TransitiveTagKeys.Add("team");
        Options.Duration = TimeSpan.FromMinutes(30);

        AwsCredentials credentials = await CreateAssumeRole(Caller).GetAsync();

        RecordedRequest request = Assert.Single(Http.Requests);
        Assert.Contains("Credential=ASIACALLER0000000001/", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("caller-session-token", request.Headers["x-amz-security-token"]);
        IReadOnlyDictionary<string, string> form = StsResponses.Form(request);
        Assert.Equal("AssumeRole", form["Action"]);
        Assert.Equal(TargetRole, form["RoleArn"]);
        Assert.Equal("xactarget", form["RoleSessionName"]);
        Assert.Equal("ext-123", form["ExternalId"]);
        Assert.Equal("ci-pipeline", form["SourceIdentity"]);
        Assert.Equal("1800", form["DurationSeconds"]);
        Assert.Equal("team", form["Tags.member.1.Key"]);
        Assert.Equal("platform", form["Tags.member.1.Value"]);
        Assert.Equal("team", form["TransitiveTagKeys.member.1"]);
        Assert.Equal(AwsTestData.Now.AddHours(1), credentials.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_ChainedCallerAndTwelveHoursAsked_ClampsToOneHourAndWarnsOnce()
    {
        ArrangeAvailable();
        Options.Duration = TimeSpan.FromHours(12);
        ListLogger logger = new();
        AssumeRoleCredentialSource source = CreateAssumeRole(Caller, logger);

        await source.GetAsync();
        await source.GetAsync();

        Assert.All(Http.Requests, r => Assert.Equal("3600", StsResponses.Form(r)["DurationSeconds"]));
        string warning = Assert.Single(logger.Messages, m => m.Level == LogLevel.Warning).Text;
        Assert.Contains("one hour", warning, StringComparison.Ordinal);
        Assert.Contains("43200", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_LongTermCallerKeys_KeepsRequestedDuration()
    {
        ArrangeAvailable();
        Options.Duration = TimeSpan.FromHours(12);
        Caller.Credentials = new AwsCredentials("AKIALONGTERM00000001", AwsTestData.SecretAccessKey);

        await CreateAssumeRole(Caller).GetAsync();

        Assert.Equal("43200", StsResponses.Form(Http.Requests[0])["DurationSeconds"]);
    }

    [Fact]
    public async Task GetAsync_ThreeHopChain_EachHopSignsWithThePreviousHopsCredentials()
    {
        Http.On(HttpMethod.Post, "/",
            StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1), keyId: "ASIAHOP1000000000001")),
            StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1), keyId: "ASIAHOP2000000000002")));
        AssumeRoleCredentialSource first = CreateAssumeRole(Caller);
        AssumeRoleCredentialSource second = CreateAssumeRole(first, roleArn: "arn:aws:iam::333333333333:role/third");

        AwsCredentials final = await second.GetAsync();

        Assert.Equal("ASIAHOP2000000000002", final.AccessKeyId);
        Assert.Contains("Credential=ASIACALLER0000000001/", Http.Requests[0].Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("Credential=ASIAHOP1000000000001/", Http.Requests[1].Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("arn:aws:iam::333333333333:role/third", StsResponses.Form(Http.Requests[1])["RoleArn"]);
    }

    [Fact]
    public async Task GetAsync_AccessDenied_ExplainsTrustPolicyAndNamesCaller()
    {
        ArrangeRejected();

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateAssumeRole(Caller).GetAsync().AsTask());

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains("trust policy", error.Message, StringComparison.Ordinal);
        Assert.Contains(Caller.HopName, error.Message, StringComparison.Ordinal);
        Assert.Equal($"aws-sts:AssumeRole({TargetRole})", error.HopName);
    }

    [Fact]
    public async Task GetAsync_RoleChainingDurationRejected_ThrowsConfiguration()
    {
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(HttpStatusCode.BadRequest, "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."));

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateAssumeRole(Caller).GetAsync().AsTask());

        Assert.Contains("3600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_CallerSessionExpired_ThrowsTransientNamingCaller()
    {
        Http.On(HttpMethod.Post, "/", StsResponses.Fail(HttpStatusCode.BadRequest, "ExpiredToken", "The security token included in the request is expired"));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateAssumeRole(Caller).GetAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Contains(Caller.HopName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_CallerFails_PropagatesCallersErrorWithoutCallingSts()
    {
        Caller.Error = new CredentialRequestFailedException("aws-imds:credentials", "boom");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => CreateAssumeRole(Caller).GetAsync().AsTask());

        Assert.Equal("aws-imds:credentials", error.HopName);
        Assert.Empty(Http.Requests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("arn:aws:s3:::bucket")]
    public void Ctor_InvalidRoleArn_ThrowsConfiguration(string? roleArn)
    {
        Options.RoleArn = roleArn;

        Assert.Throws<CredentialConfigurationException>(() => CreateAssumeRole(Caller));
    }

    [Fact]
    public void Ctor_TransitiveKeyWithoutTag_ThrowsConfiguration()
    {
        Options.TransitiveTagKeys.Add("missing");

        Assert.Throws<CredentialConfigurationException>(() => CreateAssumeRole(Caller));
    }

    [Fact]
    public void Ctor_DurationOutOfRange_ThrowsConfiguration()
    {
        Options.Duration = TimeSpan.FromMinutes(5);

        Assert.Throws<CredentialConfigurationException>(() => CreateAssumeRole(Caller));
    }

    private AssumeRoleCredentialSource CreateAssumeRole(ICredentialProvider<AwsCredentials> caller, ILogger? logger = null, string? roleArn = null)
    {
        AssumeRoleCredentialSourceOptions options = Options;
        if (roleArn is not null)
        {
            options = new AssumeRoleCredentialSourceOptions { RoleArn = roleArn, RoleSessionName = "third", Sts = Options.Sts };
        }

        options.Sts.HttpClient = Http.CreateClient();
        options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        return new AssumeRoleCredentialSource(caller, options, Environment, Time, logger);
    }

    private sealed class CallerSource : ICredentialProvider<AwsCredentials>
    {
        public AwsCredentials Credentials { get; set; } = new("ASIACALLER0000000001", "caller-secret", "caller-session-token", AwsTestData.Now.AddHours(1));

        public Exception? Error { get; set; }

        public string HopName => "aws-sts:AssumeRoleWithWebIdentity(arn:aws:iam::111111111111:role/ci-account-iam-role)";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) =>
            Error is null ? ValueTask.FromResult(Credentials) : ValueTask.FromException<AwsCredentials>(Error);
    }
}
