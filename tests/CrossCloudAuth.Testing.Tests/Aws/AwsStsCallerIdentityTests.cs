using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Aws;

public sealed class AwsStsCallerIdentityTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task GetCallerIdentity_SignedBySdkSigner_ReturnsAssumedRoleArn()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn, "build-42");

        StsResponse response = await CallAsync(cloud, session, _clock.GetUtcNow());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/build-42", response["Arn"]);
        Assert.Equal(CiAccount, response["Account"]);
        Assert.StartsWith("AROA", response["UserId"]);
        Assert.EndsWith(":build-42", response["UserId"]);
    }

    [Fact]
    public async Task GetCallerIdentity_LongTermUserKey_ReturnsUserArn()
    {
        Testing.Aws.AwsUser? user = null;
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b => user = b.AddAwsAccount(CiAccount).AddUser("alice"));

        StsResponse response = await CallAsync(cloud, user!.Credentials, _clock.GetUtcNow());

        Assert.Equal($"arn:aws:iam::{CiAccount}:user/alice", response["Arn"]);
        Assert.Equal(user.UserId, response["UserId"]);
    }

    [Fact]
    public async Task GetCallerIdentity_WrongSecret_SignatureDoesNotMatch()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);
        var forged = new AwsCredentials(session.AccessKeyId, new string('x', 40), session.SessionToken);

        StsResponse response = await CallAsync(cloud, forged, _clock.GetUtcNow());

        response.AssertError(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", response.ErrorMessage);
    }

    [Fact]
    public async Task GetCallerIdentity_BodyChangedAfterSigning_SignatureDoesNotMatch()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);
        using HttpRequestMessage request = await AwsRequests.SignedPostAsync(cloud.AwsStsEndpoint, AwsRequests.GetCallerIdentityBody, session, _clock.GetUtcNow());
        request.Content = new StringContent(AwsRequests.GetCallerIdentityBody + "&Extra=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        StsResponse response = await SendAsync(request);

        response.AssertError(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Theory]
    [InlineData("127", HttpStatusCode.OK)]
    [InlineData("iam", HttpStatusCode.Forbidden)]
    public async Task GetCallerIdentity_ServiceScope_StsOrTheLoopbackHostLabelGoogleLibrariesDerive(string service, HttpStatusCode expected)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);
        using HttpRequestMessage request = await AwsRequests.SignedPostAsync(cloud.AwsStsEndpoint, AwsRequests.GetCallerIdentityBody, session, _clock.GetUtcNow(), service: service);

        StsResponse response = await SendAsync(request);

        Assert.Equal(expected, response.Status);
    }

    [Fact]
    public async Task GetCallerIdentity_KeyNotIssuedByEmulator_InvalidClientTokenId()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);

        StsResponse response = await CallAsync(cloud, new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), _clock.GetUtcNow());

        response.AssertError(HttpStatusCode.Forbidden, "InvalidClientTokenId");
        Assert.Equal("The security token included in the request is invalid.", response.ErrorMessage);
    }

    [Fact]
    public async Task GetCallerIdentity_SessionKeyWithoutToken_InvalidClientTokenId()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);

        StsResponse response = await CallAsync(cloud, new AwsCredentials(session.AccessKeyId, session.SecretAccessKey), _clock.GetUtcNow());

        response.AssertError(HttpStatusCode.Forbidden, "InvalidClientTokenId");
    }

    [Fact]
    public async Task GetCallerIdentity_ExpiredSession_ExpiredToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn, duration: TimeSpan.FromMinutes(15));
        _clock.Advance(TimeSpan.FromMinutes(16));

        StsResponse response = await CallAsync(cloud, session, _clock.GetUtcNow());

        response.AssertError(HttpStatusCode.Forbidden, "ExpiredToken");
    }

    [Theory]
    [InlineData(-20, "Signature expired: 20261123T114000Z is now earlier than 20261123T114500Z (20261123T120000Z - 15 min.)")]
    [InlineData(20, "Signature not yet current: 20261123T122000Z is still later than 20261123T121500Z (20261123T120000Z + 15 min.)")]
    public async Task GetCallerIdentity_ClockSkewBeyondWindow_SignatureDoesNotMatch(int minutes, string message)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);

        StsResponse response = await CallAsync(cloud, session, _clock.GetUtcNow().AddMinutes(minutes));

        response.AssertError(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        Assert.Equal(message, response.ErrorMessage);
    }

    [Fact]
    public async Task GetCallerIdentity_ClockSkewWithinWindow_Accepted()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn);

        StsResponse response = await CallAsync(cloud, session, _clock.GetUtcNow().AddMinutes(-14));

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc", "Authorization header requires 'Credential' parameter.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261123/us-east-1/sts/aws4_request", "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.")]
    public async Task GetCallerIdentity_IncompleteAuthorization_IncompleteSignature(string authorization, string message)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using var request = new HttpRequestMessage(HttpMethod.Post, cloud.AwsStsEndpoint)
        {
            Content = new StringContent(AwsRequests.GetCallerIdentityBody, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20261123T120000Z");

        StsResponse response = await SendAsync(request);

        response.AssertError(HttpStatusCode.BadRequest, "IncompleteSignature");
        Assert.Equal(message, response.ErrorMessage);
    }

    [Fact]
    public async Task GetCallerIdentity_PresignedWithClusterHeader_Accepted()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(TargetRoleArn, "eks");
        (Uri url, IDictionary<string, string> headers) = await AwsRequests.PresignGetCallerIdentityAsync(cloud.AwsStsEndpoint, session, _clock.GetUtcNow(), "target-cluster");
        Assert.Contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id", url.Query, StringComparison.OrdinalIgnoreCase);

        StsResponse response = await GetAsync(url, ("x-k8s-aws-id", headers["x-k8s-aws-id"]));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal($"arn:aws:sts::{TargetAccount}:assumed-role/target-role/eks", response["Arn"]);
    }

    [Fact]
    public async Task GetCallerIdentity_PresignedForAnotherCluster_SignatureDoesNotMatch()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(TargetRoleArn, "eks");
        (Uri url, _) = await AwsRequests.PresignGetCallerIdentityAsync(cloud.AwsStsEndpoint, session, _clock.GetUtcNow(), "target-cluster");

        StsResponse response = await GetAsync(url, ("x-k8s-aws-id", "another-cluster"));

        response.AssertError(HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task GetCallerIdentity_PresignedOlderThanFifteenMinutes_RequestExpired()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials session = cloud.IssueRoleSession(TargetRoleArn, "eks");
        (Uri url, _) = await AwsRequests.PresignGetCallerIdentityAsync(cloud.AwsStsEndpoint, session, _clock.GetUtcNow(), "c");
        _clock.Advance(TimeSpan.FromMinutes(16));

        StsResponse response = await GetAsync(url, ("x-k8s-aws-id", "c"));

        response.AssertError(HttpStatusCode.Forbidden, "RequestExpired");
    }

    [Fact]
    public async Task GetCallerIdentity_AwsSdkStsClient_Interoperates()
    {
        // The real AWS SDK (its own signer, its own XML parser) against the emulator, on the system clock.
        await using CloudEmulator cloud = await StartAwsAsync(TimeProvider.System);
        AwsCredentials session = cloud.IssueRoleSession(CiRoleArn, "sdk");
        using var client = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken),
            new AmazonSecurityTokenServiceConfig { ServiceURL = cloud.AwsStsEndpoint.AbsoluteUri, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        GetCallerIdentityResponse identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        AssumeRoleResponse chained = await client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = TargetRoleArn, RoleSessionName = "chain" });
        AmazonSecurityTokenServiceException denied = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() =>
            client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = TargetRoleArn, RoleSessionName = "chain", DurationSeconds = 7200 }));

        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/sdk", identity.Arn);
        Assert.Equal($"arn:aws:sts::{TargetAccount}:assumed-role/target-role/chain", chained.AssumedRoleUser.Arn);
        Assert.StartsWith("ASIA", chained.Credentials.AccessKeyId);
        Assert.Equal("ValidationError", denied.ErrorCode);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_AwsSdkStsClient_Interoperates()
    {
        await using CloudEmulator cloud = await StartAwsAsync(TimeProvider.System);
        using var client = new AmazonSecurityTokenServiceClient(
            new AnonymousAWSCredentials(),
            new AmazonSecurityTokenServiceConfig { ServiceURL = cloud.AwsStsEndpoint.AbsoluteUri, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        AssumeRoleWithWebIdentityResponse response = await client.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = CiRoleArn,
            RoleSessionName = "irsa",
            WebIdentityToken = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"),
        });
        InvalidIdentityTokenException wrongAudience = await Assert.ThrowsAsync<InvalidIdentityTokenException>(() =>
            client.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
            {
                RoleArn = CiRoleArn,
                RoleSessionName = "irsa",
                WebIdentityToken = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", audience: "wrong"),
            }));

        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/irsa", response.AssumedRoleUser.Arn);
        Assert.Equal("system:serviceaccount:ci:runner", response.SubjectFromWebIdentityToken);
        Assert.Equal("Incorrect token audience", wrongAudience.Message);
    }

    internal static async Task<StsResponse> CallAsync(CloudEmulator cloud, AwsCredentials credentials, DateTimeOffset signedAt)
    {
        using HttpRequestMessage request = await AwsRequests.SignedPostAsync(cloud.AwsStsEndpoint, AwsRequests.GetCallerIdentityBody, credentials, signedAt);
        return await SendAsync(request);
    }

    private static async Task<StsResponse> SendAsync(HttpRequestMessage request)
    {
        using HttpClient http = NewHttpClient();
        using HttpResponseMessage response = await http.SendAsync(request);
        return await StsResponse.ReadAsync(response);
    }

    private static async Task<StsResponse> GetAsync(Uri url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }
}
