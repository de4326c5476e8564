using CrossCloudAuth.Platform;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>
/// Seed 001 and 002's flows against moto with authentication on: a projected token becomes the CI account's role
/// (AssumeRoleWithWebIdentity, unsigned as in AWS), which assumes the target account's role (AssumeRole signed with
/// the web-identity session and verified by moto, IAM policy included); the target session's identity is checked by
/// a real AWS SDK client whose requests moto verifies too. (moto checks neither the JWT nor the trust policy of a
/// cross-account role; the project's emulator does.)
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class MotoRoleChainTests(MotoFixture fixture) : IDisposable
{
    private const string ProjectedToken =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNvbmZvcm1hbmNlIn0.eyJpc3MiOiJodHRwczovL29pZGMuZWtzLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL2lkL0NPTkZPUk1BTkNFIiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmNpOmRlcGxveWVyIiwiYXVkIjpbInN0cy5hbWF6b25hd3MuY29tIl19.c2lnbmF0dXJl";

    private readonly TemporaryDirectory _folder = new("projected-token");

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task WebIdentityThenCrossAccountAssumeRole_CallerIsTargetRole()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var sts = new AwsStsOptions { ServiceUrl = moto.Endpoint, Region = moto.Layout.Region };

        using var ci = new RefreshAheadCache<AwsCredentials>(new WebIdentityCredentialSource(
            new WebIdentityCredentialSourceOptions { RoleArn = moto.Layout.CiRoleArn, WebIdentityTokenFile = WriteToken(), RoleSessionName = "ci-pod", Sts = sts },
            new CredentialContext { Environment = ScopedEnvironment.Empty }));
        using var target = new RefreshAheadCache<AwsCredentials>(new AssumeRoleCredentialSource(
            ci,
            new AssumeRoleCredentialSourceOptions { RoleArn = moto.Layout.TargetRoleArn, RoleSessionName = "deploy", Sts = sts },
            new CredentialContext { Environment = ScopedEnvironment.Empty }));

        var ciIdentity = await CallerArnAsync(moto, await ci.GetAsync());
        var targetIdentity = await CallerArnAsync(moto, await target.GetAsync());

        Assert.Equal($"arn:aws:sts::{moto.Layout.CiAccount}:assumed-role/ci-deployer/ci-pod", ciIdentity);
        Assert.Equal($"arn:aws:sts::{moto.Layout.TargetAccount}:assumed-role/target-reader/deploy", targetIdentity);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task WebIdentityFromEnvironmentVariables_CallerIsRoleWithSessionName()
    {
        // Seed 002: a webhook injects AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME.
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var environment = new ScopedEnvironment(new Dictionary<string, string>
        {
            ["AWS_ROLE_ARN"] = moto.Layout.CiRoleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = WriteToken(),
            ["AWS_ROLE_SESSION_NAME"] = "gke-on-aws-pod",
            ["AWS_REGION"] = moto.Layout.Region,
            ["AWS_ENDPOINT_URL_STS"] = moto.Endpoint.ToString(),
        });

        using var source = new RefreshAheadCache<AwsCredentials>(new WebIdentityCredentialSource(context: new CredentialContext { Environment = environment }));
        var credentials = await source.GetAsync();

        Assert.Equal($"arn:aws:sts::{moto.Layout.CiAccount}:assumed-role/ci-deployer/gke-on-aws-pod", await CallerArnAsync(moto, credentials));
        Assert.NotNull(credentials.SessionToken);
        Assert.True(credentials.ExpiresOn > DateTimeOffset.UtcNow);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task RoleChainSignsSubjectToken_MotoSeesTargetRole()
    {
        // F5: the chain's final role signs the aws4_request subject; replayed as Google replays it, the identity AWS
        // reports (and Google would map to attribute.aws_role) is the target account's role.
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var sts = new AwsStsOptions { ServiceUrl = moto.Endpoint, Region = moto.Layout.Region };
        using var ci = new RefreshAheadCache<AwsCredentials>(new WebIdentityCredentialSource(
            new WebIdentityCredentialSourceOptions { RoleArn = moto.Layout.CiRoleArn, WebIdentityTokenFile = WriteToken(), RoleSessionName = "ci-pod", Sts = sts },
            new CredentialContext { Environment = ScopedEnvironment.Empty }));
        using var target = new RefreshAheadCache<AwsCredentials>(new AssumeRoleCredentialSource(
            ci,
            new AssumeRoleCredentialSourceOptions { RoleArn = moto.Layout.TargetRoleArn, RoleSessionName = "to-google", Sts = sts },
            new CredentialContext { Environment = ScopedEnvironment.Empty }));
        var subject = new AwsSubjectTokenSource(
            target,
            new AwsSubjectTokenSourceOptions { Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/p/providers/aws", Region = moto.Layout.Region },
            context: new CredentialContext { Environment = ScopedEnvironment.Empty });

        var (status, body) = await AwsSubjectReplay.SendAsync(moto, await subject.GetSubjectTokenAsync());

        Assert.True(status == 200, $"moto refused the subject token: {status} {body}");
        Assert.Contains($"<Arn>arn:aws:sts::{moto.Layout.TargetAccount}:assumed-role/target-reader/to-google</Arn>", body);
    }

    internal static async Task<string> CallerArnAsync(MotoServer moto, AwsCredentials credentials)
    {
        using var client = MotoClients.Sts(moto, new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        return (await client.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn;
    }

    private string WriteToken()
    {
        var path = _folder.File($"token-{Guid.NewGuid():N}");
        File.WriteAllText(path, ProjectedToken);
        return path;
    }

    public void Dispose() => _folder.Dispose();
}
