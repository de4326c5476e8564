using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>What the flows run against: one environment per workload and the resources each flow reads.</summary>
public sealed class QuickstartSettings
{
    /// <summary>Gets the mode, <c>emulator</c> or <c>real</c>, for the trace.</summary>
    public required string Mode { get; init; }

    /// <summary>Gets a value indicating whether endpoints that are not Google's or AWS's own are allowed (the emulator's loopback URLs).</summary>
    public bool AllowNonStandardEndpoints { get; init; }

    /// <summary>Gets the environment of the EKS pod of F1 (<c>GOOGLE_APPLICATION_CREDENTIALS</c> → file-sourced configuration); <see langword="null"/> skips F1.</summary>
    public ISystemEnvironment? F1Environment { get; init; }

    /// <summary>Gets the environment of the EC2 instance of F2 (<c>GOOGLE_APPLICATION_CREDENTIALS</c> → <c>aws1</c> configuration); <see langword="null"/> skips F2.</summary>
    public ISystemEnvironment? F2Environment { get; init; }

    /// <summary>Gets the environment of the CI pod of F3 and F5 (AWS shared config with the <see cref="AwsProfile"/> chain); <see langword="null"/> skips F3.</summary>
    public ISystemEnvironment? F3Environment { get; init; }

    /// <summary>Gets the environment of the webhook-injected pod of F4 (<c>AWS_ROLE_ARN</c>, <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>); <see langword="null"/> skips F4.</summary>
    public ISystemEnvironment? F4Environment { get; init; }

    /// <summary>Gets the <c>aws1</c> credential configuration of F5 (the target account's AWS provider); <see langword="null"/> skips F5.</summary>
    public string? F5CredentialFile { get; init; }

    /// <summary>Gets the AWS profile of the role chain (seed 001: <c>target-env</c>).</summary>
    public string AwsProfile { get; init; } = "target-env";

    /// <summary>Gets the target account's EKS cluster name; <see langword="null"/> skips the EKS token.</summary>
    public string? EksCluster { get; init; }

    /// <summary>Gets the AWS STS endpoint the AWS SDK clients of the samples call; <see langword="null"/> for the regional AWS endpoint.</summary>
    public Uri? AwsStsEndpoint { get; init; }

    /// <summary>Gets the AWS region.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Gets the instance metadata base URL for F2's identity check; <see langword="null"/> for <c>http://169.254.169.254/</c>.</summary>
    public Uri? InstanceMetadataEndpoint { get; init; }

    /// <summary>Gets the Cloud Storage base URL.</summary>
    public Uri StorageEndpoint { get; init; } = new("https://storage.googleapis.com/");

    /// <summary>Gets the BigQuery base URL.</summary>
    public Uri BigQueryEndpoint { get; init; } = new("https://bigquery.googleapis.com/");

    /// <summary>Gets the bucket F1 lists; <see langword="null"/> skips F1.</summary>
    public string? F1Bucket { get; init; }

    /// <summary>Gets the BigQuery project F2 runs its query in; <see langword="null"/> skips F2.</summary>
    public string? F2Project { get; init; }

    /// <summary>Gets F2's query.</summary>
    public string F2Query { get; init; } = "SELECT * FROM mydataset.users ORDER BY id";

    /// <summary>Gets the bucket F5 lists.</summary>
    public string? F5Bucket { get; init; }

    /// <summary>Gets the files and variables the trace shows for each workload, one line each (paths, variable names and values that are not secret).</summary>
    public IReadOnlyList<string> Layout { get; init; } = [];
}
