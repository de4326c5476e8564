using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Aws;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Aws;

public sealed class AwsStsAssumeRoleTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task AssumeRole_ChainedFromWebIdentitySession_ReturnsTargetAccountSession()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials ci = await WebIdentitySessionAsync(cloud);

        StsResponse response = await AssumeRoleAsync(cloud, ci, TargetRoleArn, "xactarget");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal($"arn:aws:sts::{TargetAccount}:assumed-role/target-role/xactarget", response["Arn"]);
        Assert.StartsWith("ASIA", response["AccessKeyId"]);
        Assert.Equal("2026-11-23T13:00:00Z", response["Expiration"]);
    }

    [Fact]
    public async Task AssumeRole_ChainedLongerThanOneHour_ValidationError()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials ci = await WebIdentitySessionAsync(cloud);

        StsResponse response = await AssumeRoleAsync(cloud, ci, TargetRoleArn, "xactarget", "&DurationSeconds=7200");

        response.AssertError(HttpStatusCode.BadRequest, "ValidationError");
        Assert.Equal("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRole_UserNotInTrustPolicy_AccessDeniedNamesCaller()
    {
        AwsUser? user = null;
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b =>
            user = b.AddAwsAccount(TargetAccount).AddUser("deployer"));

        StsResponse denied = await AssumeRoleAsync(cloud, user!.Credentials, TargetRoleArn, "s1", "&DurationSeconds=7200");
        denied.AssertError(HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal($"User: arn:aws:iam::{TargetAccount}:user/deployer is not authorized to perform: sts:AssumeRole on resource: {TargetRoleArn}", denied.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRole_AccountRootTrust_AllowsUserForFourHours()
    {
        AwsUser? user = null;
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b =>
        {
            Testing.Aws.AwsAccountBuilder account = b.AddAwsAccount("777788889999");
            account.AddRole("admin", t => t.AllowPrincipal("777788889999"), maxSessionDuration: TimeSpan.FromHours(4));
            user = account.AddUser("alice");
        });

        StsResponse response = await AssumeRoleAsync(cloud, user!.Credentials, "arn:aws:iam::777788889999:role/admin", "s1", "&DurationSeconds=14400");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("2026-11-23T16:00:00Z", response["Expiration"]);
    }

    [Fact]
    public async Task AssumeRole_CallerNotTrusted_AccessDenied()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials node = cloud.IssueRoleSession(NodeRoleArn);

        StsResponse response = await AssumeRoleAsync(cloud, node, TargetRoleArn, "s1");

        response.AssertError(HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Contains($"assumed-role/node-role/emulator-session is not authorized to perform: sts:AssumeRole on resource: {TargetRoleArn}", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRole_ExternalIdMissingOrWrong_AccessDenied_RightOne_Succeeds()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        AwsCredentials ci = cloud.IssueRoleSession(CiRoleArn);
        string role = $"arn:aws:iam::{CiAccount}:role/external-role";

        (await AssumeRoleAsync(cloud, ci, role, "s1")).AssertError(HttpStatusCode.Forbidden, "AccessDenied");
        (await AssumeRoleAsync(cloud, ci, role, "s1", "&ExternalId=wrong")).AssertError(HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal(HttpStatusCode.OK, (await AssumeRoleAsync(cloud, ci, role, "s1", "&ExternalId=ext-123")).Status);
    }

    [Fact]
    public async Task AssumeRole_Unsigned_MissingAuthenticationToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        using var content = new StringContent($"Action=AssumeRole&Version=2011-06-15&RoleArn={TargetRoleArn}&RoleSessionName=s", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        StsResponse response = await StsResponse.ReadAsync(await http.PostAsync(cloud.AwsStsEndpoint, content));

        response.AssertError(HttpStatusCode.Forbidden, "MissingAuthenticationToken");
    }

    internal static async Task<AwsCredentials> WebIdentitySessionAsync(CloudEmulator cloud)
    {
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");
        StsResponse response = await AwsStsWebIdentityTests.AssumeAsync(cloud, CiRoleArn, token, "ci-session");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return new AwsCredentials(response["AccessKeyId"]!, response["SecretAccessKey"]!, response["SessionToken"], DateTimeOffset.Parse(response["Expiration"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    internal static async Task<StsResponse> AssumeRoleAsync(CloudEmulator cloud, AwsCredentials caller, string roleArn, string session, string extra = "")
    {
        using HttpClient http = NewHttpClient();
        string form = $"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(roleArn)}&RoleSessionName={session}{extra}";
        using HttpRequestMessage request = await AwsRequests.SignedPostAsync(cloud.AwsStsEndpoint, form, caller, cloud.TimeProvider.GetUtcNow());
        using HttpResponseMessage response = await http.SendAsync(request);
        return await StsResponse.ReadAsync(response);
    }
}
