using System.Net;
using CrossCloudAuth.Testing.Oidc;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Aws;

public sealed class AwsStsWebIdentityTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task AssumeRoleWithWebIdentity_TrustedProjectedToken_ReturnsSessionForAssumedRole()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token, "ci-session");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("AssumeRoleWithWebIdentityResponse", response.Xml.Name.LocalName);
        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/ci-session", response["Arn"]);
        Assert.StartsWith("ASIA", response["AccessKeyId"]);
        Assert.Equal(40, response["SecretAccessKey"]!.Length);
        Assert.False(string.IsNullOrEmpty(response["SessionToken"]));
        Assert.Equal("2026-11-23T13:00:00Z", response["Expiration"]);
        Assert.Equal("system:serviceaccount:ci:runner", response["SubjectFromWebIdentityToken"]);
        Assert.Equal("sts.amazonaws.com", response["Audience"]);
        Assert.Equal($"arn:aws:iam::{CiAccount}:oidc-provider/{cloud.GetOidcIssuer("eks").HostPath}", response["Provider"]);
        Assert.EndsWith(":ci-session", response["AssumedRoleId"]);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_WildcardSubject_MatchesStringLike()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("apps", "billing");

        StsResponse response = await AssumeAsync(cloud, $"arn:aws:iam::{CiAccount}:role/wildcard-role", token);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_WrongAudience_InvalidIdentityToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", audience: "sts.amazon.com");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "InvalidIdentityToken");
        Assert.Equal("Incorrect token audience", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_TamperedToken_InvalidIdentityToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = OidcIssuer.Tamper(cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "InvalidIdentityToken");
        Assert.Contains("could not be validated", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_SignedByUnpublishedKey_InvalidIdentityToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintWithUntrustedKey("ci", "runner");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "InvalidIdentityToken");
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ExpiredToken_ExpiredTokenException()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", lifetime: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(6));

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "ExpiredTokenException");
        Assert.StartsWith("Token expired: current date/time ", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_ExpiredWithinSkew_Accepted()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", lifetime: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(2));

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_WrongServiceAccount_AccessDenied()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "intruder");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Equal("Not authorized to perform sts:AssumeRoleWithWebIdentity", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_IssuerWithoutProvider_InvalidIdentityToken()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        OidcIssuer other = cloud.GetOidcIssuer("other");
        string token = other.MintServiceAccountToken("ci", "runner");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "InvalidIdentityToken");
        Assert.Equal($"No OpenIDConnect provider found in your account for {other.Issuer}", response.ErrorMessage);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_UnknownRole_AccessDenied()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        StsResponse response = await AssumeAsync(cloud, $"arn:aws:iam::{CiAccount}:role/missing", token);

        response.AssertError(HttpStatusCode.Forbidden, "AccessDenied");
    }

    [Theory]
    [InlineData("DurationSeconds=100", "ValidationError")]
    [InlineData("DurationSeconds=7200", "ValidationError")]
    [InlineData("RoleSessionName=bad%20name", "ValidationError")]
    public async Task AssumeRoleWithWebIdentity_InvalidParameters_ValidationError(string extra, string code)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token, extra: extra);

        response.AssertError(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task AssumeRoleWithWebIdentity_IdpUnreachable_IDPCommunicationError()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");
        cloud.Faults.Add(EmulatedService.Oidc, Testing.Faults.Fault.Status(HttpStatusCode.ServiceUnavailable), times: 1);

        StsResponse response = await AssumeAsync(cloud, CiRoleArn, token);

        response.AssertError(HttpStatusCode.BadRequest, "IDPCommunicationError");
    }

    internal static async Task<StsResponse> AssumeAsync(CloudEmulator cloud, string roleArn, string token, string session = "test-session", string? extra = null)
    {
        using HttpClient http = NewHttpClient();
        var form = new Dictionary<string, string>
        {
            ["Action"] = "AssumeRoleWithWebIdentity",
            ["Version"] = "2011-06-15",
            ["RoleArn"] = roleArn,
            ["RoleSessionName"] = session,
            ["WebIdentityToken"] = token,
        };
        string body = await new FormUrlEncodedContent(form).ReadAsStringAsync();
        if (extra is not null)
        {
            string name = extra.Split('=')[0];
            body = string.Join('&', body.Split('&').Where(p => !p.StartsWith(name + "=", StringComparison.Ordinal))) + "&" + extra;
        }

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using HttpResponseMessage response = await http.PostAsync(cloud.AwsStsEndpoint, content);
        return await StsResponse.ReadAsync(response);
    }
}
