using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Oidc;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.GoogleCalls;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Google;

public sealed class GoogleStsTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task Exchange_ProjectedTokenForOidcProvider_IssuesFederatedToken()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("ya29.", response.String("access_token"));
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", response.String("issued_token_type"));
        Assert.Equal("Bearer", response.String("token_type"));
        Assert.Equal(3600, response.Body.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task Exchange_SubjectExpiringSoon_TokenLivesNoLongerThanSubject()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", lifetime: TimeSpan.FromMinutes(15));

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        Assert.Equal(900, response.Body.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task Exchange_TokenAudienceNotAllowed_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", audience: "https://example.com");

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal("The audience in ID Token [https://example.com] does not match the expected audience.", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_ExpiredSubject_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner", issuedAt: _clock.GetUtcNow().AddHours(-2));

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.StartsWith("ID Token expired at", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_TamperedSubject_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = OidcIssuer.Tamper(cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("signature", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_TokenFromAnotherIssuer_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("other").MintServiceAccountToken("ci", "runner");

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("does not match the expected ISSUER", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_AttributeConditionFalse_UnauthorizedClient()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintToken("user:alice", "sts.amazonaws.com");

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.Unauthorized, "unauthorized_client");
        Assert.Equal("The given credential is rejected by the attribute condition.", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_UnknownProvider_InvalidTarget()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience.Replace("test-oidc", "deleted", StringComparison.Ordinal), subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_target");
    }

    [Fact]
    public async Task Exchange_AudienceNotAResourceName_InvalidRequest()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);

        JsonResponse response = await ExchangeAsync(cloud, "projects/123/providers/x", "token", JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("Invalid value for \"audience\".", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_SubjectTokenTypeOfAnotherProviderKind_InvalidRequest()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        JsonResponse response = await ExchangeAsync(cloud, AwsAudience, subject, JwtType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Exchange_WrongGrantType_UnsupportedGrantType()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);

        JsonResponse response = await ExchangeAsync(cloud, OidcAudience, "x", JwtType, grantType: "client_credentials");

        response.AssertOAuthError(HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task Exchange_Aws4RequestFromInstanceRole_ReplayedAtStsAndMapped()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials node = cloud.IssueRoleSession(NodeRoleArn, "i-0123");
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, node, AwsAudience, _clock.GetUtcNow());

        string federated = await FederatedTokenAsync(cloud, AwsAudience, subject, Aws4RequestType);
        // The default mapping made attribute.aws_role = arn:aws:sts::ACCOUNT:assumed-role/node-role, which the SA binding names.
        JsonResponse impersonated = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        Assert.True(impersonated.Status == HttpStatusCode.OK, impersonated.Text);
        Assert.Contains(cloud.Requests.For(EmulatedService.GoogleSts), r => r.Form["subject_token_type"] == Aws4RequestType);
    }

    [Fact]
    public async Task Exchange_Aws4RequestFromChainedTargetRole_GoogleSeesTargetRole()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials target = cloud.IssueRoleSession(TargetRoleArn, "xactarget");
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, target, TargetAudience, _clock.GetUtcNow());

        string federated = await FederatedTokenAsync(cloud, TargetAudience, subject, Aws4RequestType);
        JsonResponse impersonated = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        Assert.Equal(HttpStatusCode.OK, impersonated.Status);
    }

    [Fact]
    public async Task Exchange_Aws4RequestWithTamperedSignature_InvalidGrantQuotingAws()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials node = cloud.IssueRoleSession(NodeRoleArn);
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, node, AwsAudience, _clock.GetUtcNow(), headers =>
        {
            int i = headers.FindIndex(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
            string value = headers[i].Value;
            headers[i] = (headers[i].Key, value[..^4] + (value.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000"));
        });

        JsonResponse response = await ExchangeAsync(cloud, AwsAudience, subject, Aws4RequestType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.StartsWith("Received invalid AWS response of type SignatureDoesNotMatch with error message: The request signature we calculated", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_Aws4RequestSignedWithSkewedClock_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials node = cloud.IssueRoleSession(NodeRoleArn);
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, node, AwsAudience, _clock.GetUtcNow().AddMinutes(-30));

        JsonResponse response = await ExchangeAsync(cloud, AwsAudience, subject, Aws4RequestType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("Signature expired", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_Aws4RequestForAnotherAudience_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials node = cloud.IssueRoleSession(NodeRoleArn);
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, node, TargetAudience, _clock.GetUtcNow());

        JsonResponse response = await ExchangeAsync(cloud, AwsAudience, subject, Aws4RequestType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("x-goog-cloud-target-resource", response.String("error_description"));
    }

    [Fact]
    public async Task Exchange_Aws4RequestFromOtherAccount_InvalidGrant()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials target = cloud.IssueRoleSession(TargetRoleArn);
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, target, AwsAudience, _clock.GetUtcNow());

        JsonResponse response = await ExchangeAsync(cloud, AwsAudience, subject, Aws4RequestType);

        response.AssertOAuthError(HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Exchange_Aws4RequestConditionFalse_UnauthorizedClient()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        AwsCredentials ci = cloud.IssueRoleSession(CiRoleArn);
        string subject = await Aws4RequestAsync(cloud.AwsStsEndpoint, ci, AwsNodesOnlyAudience, _clock.GetUtcNow());

        JsonResponse response = await ExchangeAsync(cloud, AwsNodesOnlyAudience, subject, Aws4RequestType);

        response.AssertOAuthError(HttpStatusCode.Unauthorized, "unauthorized_client");
    }
}
