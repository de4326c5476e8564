using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>Real AWS SDK clients aimed at a moto server.</summary>
internal static class MotoClients
{
    public static AmazonSecurityTokenServiceClient Sts(MotoServer moto, AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig
        {
            ServiceURL = moto.Endpoint.ToString(),
            AuthenticationRegion = moto.Layout.Region,
            MaxErrorRetry = 0,
        });

    public static AmazonS3Client S3(MotoServer moto, AWSCredentials credentials) =>
        new(credentials, new AmazonS3Config
        {
            ServiceURL = moto.Endpoint.ToString(),
            AuthenticationRegion = moto.Layout.Region,
            ForcePathStyle = true,
            MaxErrorRetry = 0,
        });

    public static BasicAWSCredentials UserCredentials(MotoServer moto) =>
        new(moto.Layout.User.AccessKeyId, moto.Layout.User.SecretAccessKey);
}
