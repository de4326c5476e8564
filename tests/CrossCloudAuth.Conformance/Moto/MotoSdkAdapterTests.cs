using CrossCloudAuth.Platform;
using Amazon.S3.Model;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>
/// The library's AWS SDK adapter (<see cref="CachedAwsCredentials"/>) driving real AWS SDK clients against moto with
/// authentication on: every request is signed by the SDK with the chain's credentials and verified by moto.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class MotoSdkAdapterTests(MotoFixture fixture)
{
    [ConformanceFact(ConformanceTool.Moto)]
    public async Task CachedAwsCredentials_OverRoleChain_DriveStsAndS3Clients()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        var sts = new AwsStsOptions { ServiceUrl = moto.Endpoint, Region = moto.Layout.Region };
        var user = new StaticAwsCredentials(new AwsCredentials(moto.Layout.User.AccessKeyId, moto.Layout.User.SecretAccessKey));
        using var target = new RefreshAheadCache<AwsCredentials>(new AssumeRoleCredentialSource(
            user,
            new AssumeRoleCredentialSourceOptions { RoleArn = moto.Layout.TargetRoleArn, RoleSessionName = "sdk-adapter", Sts = sts },
            new CredentialContext { Environment = ScopedEnvironment.Empty }));
        using var credentials = new CachedAwsCredentials(target);
        using var stsClient = MotoClients.Sts(moto, credentials);
        using var s3 = MotoClients.S3(moto, credentials);

        var identity = await stsClient.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var buckets = await s3.ListBucketsAsync(new ListBucketsRequest());

        Assert.Equal($"arn:aws:sts::{moto.Layout.TargetAccount}:assumed-role/target-reader/sdk-adapter", identity.Arn);
        Assert.Contains(buckets.Buckets, b => b.BucketName == moto.Layout.Bucket);
        Assert.NotNull(credentials.Expiration);
    }
}
