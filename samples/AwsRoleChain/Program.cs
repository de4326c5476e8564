// AWS SDK clients over a role chain: the pod's web identity (IRSA) → AssumeRole into the target account, each hop
// behind a refresh-ahead cache, handed to the SDK as CachedAwsCredentials (flows F3/F4).
//
//   dotnet run --project samples/AwsRoleChain                                          the emulator's CI pod (STS only: the emulator serves no S3)
//   dotnet run --project samples/AwsRoleChain -- --real --target-role ARN [--session NAME]
//        AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_REGION) from the pod; GetCallerIdentity and S3 ListBuckets as the target role
//   dotnet run --project samples/AwsRoleChain -- --real --profile target-env           the same chain from ~/.aws/config (seed 001's profiles)
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CrossCloudAuth;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;

bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

EmulatedWorld? world = real ? null : await EmulatedWorld.StartAsync();
try
{
    ISystemEnvironment environment = world is null ? SystemEnvironment.Instance : world.EksPod;
    string region = environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
    string? profile = Option("--profile");
    string targetRole = Option("--target-role") ?? (real ? string.Empty : World.TargetRoleArn);

    CredentialContext context = new() { Environment = environment };
    AwsCredentialChain target;
    if (profile is not null)
    {
        // The chain as written in ~/.aws/config: [profile target-env] role_arn + source_profile = ci-env.
        target = AwsCredentialChain.FromProfile(profile, context: context);
    }
    else if (targetRole.Length > 0)
    {
        // The chain in code: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, then the target account's role; each hop cached.
        target = AwsCredentialChain.FromWebIdentity(context: context)
            .AssumeRole(targetRole, o => o.RoleSessionName = Option("--session") ?? "xactarget");
    }
    else
    {
        Console.Error.WriteLine("Usage: AwsRoleChain --real (--target-role ARN | --profile NAME)");
        return 2;
    }

    using (target)
    {
        CachedAwsCredentials credentials = target.SdkCredentials;

        // Any AWS SDK client takes CachedAwsCredentials; a hit is a volatile read, refreshes happen ahead of expiry.
        var stsConfig = new AmazonSecurityTokenServiceConfig();
        if (world is not null)
        {
            stsConfig.ServiceURL = world.Cloud.AwsStsEndpoint.AbsoluteUri;
            stsConfig.AuthenticationRegion = region;
        }
        else
        {
            stsConfig.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        using var sts = new AmazonSecurityTokenServiceClient(credentials, stsConfig);
        GetCallerIdentityResponse me = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Console.WriteLine($"sts:GetCallerIdentity → {me.Arn} (account {me.Account})");

        CredentialCacheStatus status = target.GetStatus();
        Console.WriteLine($"credentials {status.State}: refresh ahead at {status.RefreshAt:u}, usable until {status.UsableUntil:u}");

        if (world is null)
        {
            using var s3 = new AmazonS3Client(credentials, Amazon.RegionEndpoint.GetBySystemName(region));
            var buckets = await s3.ListBucketsAsync();
            foreach (var bucket in buckets.Buckets ?? [])
            {
                Console.WriteLine($"s3://{bucket.BucketName}");
            }
        }
        else
        {
            Console.WriteLine("(S3 ListBuckets runs with --real; the emulator serves STS, not S3)");
        }
    }

    return 0;
}
catch (Exception e) when (e is CrossCloudAuthException or AmazonServiceException)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    if (world is not null)
    {
        await world.DisposeAsync();
    }
}
