using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Google;

/// <summary>Options of <see cref="AwsSubjectTokenSource"/>.</summary>
public sealed class AwsSubjectTokenSourceOptions
{
    /// <summary>Gets or sets the workload identity provider's full resource name (the credential configuration's
    /// <c>audience</c>), such as
    /// <c>//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws</c>. Required.</summary>
    public string? Audience { get; set; }

    /// <summary>Gets or sets the AWS region to sign for. When unset, <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>,
    /// then <see cref="RegionResolver"/> is used (the order Google's libraries follow).</summary>
    public string? Region { get; set; }

    /// <summary>Gets or sets a function that resolves the region when neither <see cref="Region"/> nor the environment
    /// names one, such as <see cref="Ec2InstanceMetadataCredentialSource.GetRegionAsync"/>. Its answer is remembered.</summary>
    public Func<CancellationToken, ValueTask<string>>? RegionResolver { get; set; }

    /// <summary>Gets or sets the URL to sign, with an optional <c>{region}</c> placeholder (the credential configuration's
    /// <c>regional_cred_verification_url</c>). Default:
    /// <c>https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&amp;Version=2011-06-15</c>, the regional STS host of the signing region's partition.</summary>
    public string? RegionalCredentialVerificationUrl { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="RegionalCredentialVerificationUrl"/> may name a
    /// loopback host (a local emulator). True for URLs set in code; a configuration file's URL may only with the
    /// application's <c>AllowNonStandardEndpoints</c>.</summary>
    internal bool AllowLoopbackVerificationUrl { get; set; } = true;
}
