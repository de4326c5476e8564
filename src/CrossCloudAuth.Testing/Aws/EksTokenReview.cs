namespace CrossCloudAuth.Testing.Aws;

/// <summary>
/// The outcome of checking a <c>k8s-aws-v1.</c> EKS bearer token the way an EKS cluster's authenticator does
/// (<see cref="CloudEmulator.VerifyEksTokenAsync"/>).
/// </summary>
public sealed class EksTokenReview
{
    internal EksTokenReview(string? callerArn, string? canonicalArn, string? accountId, string? error)
    {
        CallerArn = callerArn;
        CanonicalArn = canonicalArn;
        AccountId = accountId;
        Error = error;
    }

    /// <summary>Gets a value indicating whether the cluster would authenticate the token.</summary>
    public bool IsAuthenticated => Error is null;

    /// <summary>Gets the caller ARN STS returned, e.g. <c>arn:aws:sts::A:assumed-role/ROLE/SESSION</c>.</summary>
    public string? CallerArn { get; }

    /// <summary>Gets the ARN the cluster maps (<c>aws-auth</c> / access entries): an assumed-role ARN becomes <c>arn:aws:iam::A:role/ROLE</c>.</summary>
    public string? CanonicalArn { get; }

    /// <summary>Gets the caller's account id.</summary>
    public string? AccountId { get; }

    /// <summary>Gets why the token was rejected, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <inheritdoc />
    public override string ToString() => IsAuthenticated ? $"authenticated as {CanonicalArn}" : $"rejected: {Error}";
}
