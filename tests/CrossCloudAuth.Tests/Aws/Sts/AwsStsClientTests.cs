using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Sts;

/// <summary>Where the STS calls go (the options, the environment's endpoint and FIPS / dual-stack variables, the
/// partition) and how they are signed.</summary>
public sealed class AwsStsClientTests
{
    private const string Hop = "aws-sts:AssumeRole(test)";

    private readonly FakeSystemEnvironment _environment = new();

    [Theory]
    [InlineData("us-east-2", null, null, "sts.us-east-2.amazonaws.com")]
    [InlineData("us-east-2", "true", null, "sts-fips.us-east-2.amazonaws.com")]
    [InlineData("us-east-2", null, "TRUE", "sts.us-east-2.api.aws")]
    [InlineData("us-east-2", "false", "false", "sts.us-east-2.amazonaws.com")]
    [InlineData("cn-north-1", null, null, "sts.cn-north-1.amazonaws.com.cn")]
    [InlineData("us-gov-west-1", "true", null, "sts.us-gov-west-1.amazonaws.com")]
    public void Endpoint_Region_IsThePartitionsRegionalVariant(string region, string? fips, string? dualStack, string host)
    {
        _environment.Set("AWS_USE_FIPS_ENDPOINT", fips);
        _environment.Set("AWS_USE_DUALSTACK_ENDPOINT", dualStack);

        AwsStsClient client = new(new AwsStsOptions { Region = region }, _environment, Hop);

        Assert.Equal(host, client.EndpointDescription);
    }

    [Fact]
    public void Endpoint_BooleanVariableNotABoolean_ConfigurationError()
    {
        _environment.Set("AWS_USE_FIPS_ENDPOINT", "yes");

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => new AwsStsClient(new AwsStsOptions { Region = "us-east-2" }, _environment, Hop));

        Assert.Contains("AWS_USE_FIPS_ENDPOINT must be 'true' or 'false'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4566/sts", null, null, "http://127.0.0.1:4566")]
    [InlineData(null, "http://127.0.0.1:4567", null, "http://127.0.0.1:4567")]
    [InlineData("http://127.0.0.1:4566", "http://127.0.0.1:4567", "true", "sts.us-east-2.amazonaws.com")]
    public void Endpoint_EnvironmentOverrides_StsSpecificFirstAndIgnorable(string? stsUrl, string? anyUrl, string? ignore, string expected)
    {
        _environment.Set("AWS_ENDPOINT_URL_STS", stsUrl);
        _environment.Set("AWS_ENDPOINT_URL", anyUrl);
        _environment.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", ignore);

        AwsStsClient client = new(new AwsStsOptions { Region = "us-east-2" }, _environment, Hop);

        Assert.Equal(expected, client.EndpointDescription);
    }

    [Theory]
    [InlineData("http://sts.example.com/")]
    [InlineData("https://user:secret@sts.example.com/")]
    [InlineData("https://sts.example.com/?Action=GetCallerIdentity")]
    public void Endpoint_UnsafeOverride_RefusedWithoutQuotingUserInfo(string url)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => new AwsStsClient(new AwsStsOptions { ServiceUrl = new Uri(url) }, _environment, Hop));

        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_Signed_SendsTheFormSignedWithEveryHeaderButUserAgent()
    {
        FakeHttpHandler http = new();
        http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));
        TimerRecordingTimeProvider time = new(AwsTestData.Now);
        AwsStsClient client = new(new AwsStsOptions { Region = "us-east-2", HttpClient = http.CreateClient() }, _environment, Hop, timeProvider: time);
        AwsCredentials caller = new("ASIACALLER0000000001", "caller-secret", "caller-session-token", AwsTestData.Now.AddHours(1));

        StsCredentialsResult result = await client.CallAsync(StsOperation.AssumeRole, [new("RoleArn", "arn:aws:iam::222222222222:role/r"), new("RoleSessionName", "s")], caller, e => throw e, default);

        RecordedRequest request = Assert.Single(http.Requests);
        Assert.Equal(new Uri("https://sts.us-east-2.amazonaws.com/"), request.Uri);
        Assert.Equal("20261123T120000Z", request.Headers["x-amz-date"]);
        Assert.Equal("caller-session-token", request.Headers["x-amz-security-token"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIACALLER0000000001/20261123/us-east-2/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fr&RoleSessionName=s", request.Body);
        Assert.Equal(AwsTestData.AccessKeyId, result.Credentials.AccessKeyId);
    }

    [Fact]
    public async Task CallAsync_Unsigned_SendsNoAuthorization()
    {
        FakeHttpHandler http = new();
        http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));
        AwsStsClient client = new(new AwsStsOptions { Region = "us-east-2", HttpClient = http.CreateClient() }, _environment, Hop);

        await client.CallAsync(StsOperation.AssumeRoleWithWebIdentity, [new("WebIdentityToken", "t")], signer: null, e => throw e, default);

        RecordedRequest request = Assert.Single(http.Requests);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.False(request.Headers.ContainsKey("x-amz-security-token"));
    }

    [Fact]
    public async Task CallAsync_SignatureRefusedForTheHostClock_SignsWithStsTimeAndSendsOnceMore()
    {
        FakeHttpHandler http = new();
        DateTimeOffset stsTime = AwsTestData.Now.AddMinutes(-20);
        http.On(HttpMethod.Post, "/", SkewRefusal(stsTime), StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));
        AwsStsClient client = new(new AwsStsOptions { Region = "us-east-2", HttpClient = http.CreateClient() }, _environment, Hop, timeProvider: new TimerRecordingTimeProvider(AwsTestData.Now));

        await client.CallAsync(StsOperation.AssumeRole, [new("RoleArn", "arn:aws:iam::222222222222:role/r")], new AwsCredentials("AKIAEXAMPLE000000001", "s"), e => throw e, default);

        Assert.Equal(["20261123T120000Z", "20261123T114000Z"], http.Requests.Select(r => r.Headers["x-amz-date"]));
        Assert.Equal(TimeSpan.FromMinutes(-20), client.ClockCorrection);
    }

    [Fact]
    public async Task CallAsync_SignatureRefusedWithoutASkewedDate_NotSentAgain()
    {
        FakeHttpHandler http = new();
        http.On(HttpMethod.Post, "/", SkewRefusal(AwsTestData.Now.AddMinutes(1)));
        AwsStsClient client = new(new AwsStsOptions { Region = "us-east-2", HttpClient = http.CreateClient(), Retry = new() { MaxAttempts = 1 } }, _environment, Hop, timeProvider: new TimerRecordingTimeProvider(AwsTestData.Now));

        await Assert.ThrowsAsync<AwsStsServiceException>(() => client.CallAsync(StsOperation.AssumeRole, [], new AwsCredentials("AKIAEXAMPLE000000001", "s"), e => e as CrossCloudAuthException ?? throw e, default).AsTask());

        Assert.Single(http.Requests);
        Assert.Equal(TimeSpan.Zero, client.ClockCorrection);
    }

    private static Func<HttpRequestMessage, Task<HttpResponseMessage>> SkewRefusal(DateTimeOffset stsTime) => _ =>
    {
        HttpResponseMessage response = new(HttpStatusCode.Forbidden)
        {
            Content = new StringContent(StsResponses.Error("SignatureDoesNotMatch", "Signature expired: 20261123T120000Z is now earlier than 20261123T114000Z (20261123T115500Z - 15 min.)")),
        };
        response.Headers.Date = stsTime;
        return Task.FromResult(response);
    };
}
