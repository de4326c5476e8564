using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>
/// moto (verifying SigV4 with botocore) is the judge of the library's <c>aws4_request</c> subject tokens: replayed
/// exactly as Google's STS replays them, they must pass GetCallerIdentity and name the signing identity; tampered
/// ones must fail with SignatureDoesNotMatch.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class MotoSubjectTokenTests(MotoFixture fixture)
{
    private const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/conformance-pool/providers/aws";

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task SubjectToken_SignedWithUserKey_PassesMotoGetCallerIdentity()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var credentials = new AwsCredentials(moto.Layout.User.AccessKeyId, moto.Layout.User.SecretAccessKey, null, DateTimeOffset.MaxValue);

        var token = await SignAsync(credentials, moto.Layout.Region);
        var (status, body) = await AwsSubjectReplay.SendAsync(moto, token);

        Assert.True(status == 200, $"moto refused the subject token: {status} {body}");
        Assert.Contains($"<Arn>{moto.Layout.User.Arn}</Arn>", body);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task SubjectToken_SignedWithCrossAccountRoleSession_NamesTheTargetRole()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var session = await AssumeTargetRoleAsync(moto, "subject-token");

        var token = await SignAsync(session, moto.Layout.Region);
        var (status, body) = await AwsSubjectReplay.SendAsync(moto, token);

        Assert.True(status == 200, $"moto refused the subject token: {status} {body}");
        Assert.Contains($"<Arn>arn:aws:sts::{moto.Layout.TargetAccount}:assumed-role/target-reader/subject-token</Arn>", body);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task SubjectToken_CorruptedSignature_FailsWithSignatureDoesNotMatch()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var session = await AssumeTargetRoleAsync(moto, "corrupted");
        var token = await SignAsync(session, moto.Layout.Region);

        var corrupted = AwsSubjectReplay.WithHeader(token, "Authorization", value => value[..^1] + (value[^1] == '0' ? '1' : '0'));
        var (status, body) = await AwsSubjectReplay.SendAsync(moto, corrupted);

        Assert.Equal(403, status);
        Assert.Contains("SignatureDoesNotMatch", body);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task SubjectToken_ReplayedForAnotherProvider_FailsWithSignatureDoesNotMatch()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var session = await AssumeTargetRoleAsync(moto, "other-provider");
        var token = await SignAsync(session, moto.Layout.Region);

        // The library signs x-goog-cloud-target-resource: pointing the token at another provider breaks the signature.
        var retargeted = AwsSubjectReplay.WithHeader(token, "x-goog-cloud-target-resource", value => value.Replace("/providers/aws", "/providers/other", StringComparison.Ordinal));
        var (status, body) = await AwsSubjectReplay.SendAsync(moto, retargeted);

        Assert.Equal(403, status);
        Assert.Contains("SignatureDoesNotMatch", body);
    }

    [ConformanceFact(ConformanceTool.Moto, ConformanceTool.NodeAuthLibrary)]
    public async Task SubjectToken_FromGoogleNodeLibrary_PassesTheSameJudge()
    {
        // Control: Google's own Node library, signing with the same session, is judged by the same moto. (Node signs
        // host;x-amz-date;x-amz-security-token and adds x-goog-cloud-target-resource unsigned.)
        ConformanceTools.Require(ConformanceTool.Moto, ConformanceTool.NodeAuthLibrary);
        var moto = await fixture.GetAsync();
        var session = await AssumeTargetRoleAsync(moto, "node-control");
        var input = new System.Text.Json.Nodes.JsonObject
        {
            ["config"] = System.Text.Json.Nodes.JsonNode.Parse($$"""
                {"type":"external_account","audience":"{{Audience}}","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request",
                 "token_url":"https://sts.googleapis.com/v1/token"}
                """),
            ["awsSupplier"] = new System.Text.Json.Nodes.JsonObject
            {
                ["region"] = moto.Layout.Region,
                ["accessKeyId"] = session.AccessKeyId,
                ["secretAccessKey"] = session.SecretAccessKey,
                ["token"] = session.SessionToken,
            },
            ["subjectTokenOnly"] = true,
        };

        var token = (string)(await NodeAuthLibrary.RunAsync(input))["subjectToken"]!;
        var (status, body) = await AwsSubjectReplay.SendAsync(moto, token);

        Assert.True(status == 200, $"moto refused Node's subject token: {status} {body}");
        Assert.Contains("assumed-role/target-reader/node-control", body);
    }

    /// <summary>AssumeRole into the target account, signed by the AWS SDK with the IAM user's key and verified by moto.</summary>
    internal static async Task<AwsCredentials> AssumeTargetRoleAsync(MotoServer moto, string sessionName)
    {
        using var sts = MotoClients.Sts(moto, MotoClients.UserCredentials(moto));
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = moto.Layout.TargetRoleArn, RoleSessionName = sessionName });
        var c = response.Credentials;
        return new AwsCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken, new DateTimeOffset(c.Expiration!.Value.ToUniversalTime(), TimeSpan.Zero));
    }

    /// <summary>Signs a subject token the way an application does: an <see cref="AwsSubjectTokenSource"/> over the given credentials.</summary>
    private static async Task<string> SignAsync(AwsCredentials credentials, string region) =>
        await new AwsSubjectTokenSource(new FixedCredentials(credentials), new AwsSubjectTokenSourceOptions { Audience = Audience, Region = region }).GetSubjectTokenAsync();

    private sealed class FixedCredentials(AwsCredentials credentials) : ICredentialProvider<AwsCredentials>
    {
        public string HopName => "fixed";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);
    }
}
