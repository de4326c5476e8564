namespace CrossCloudAuth.Testing.Aws.Iam;

/// <summary>An IAM role as the emulated STS evaluates it.</summary>
internal sealed class AwsRole(string accountId, string name, TrustPolicyBuilder trust, TimeSpan maxSessionDuration)
{
    public string AccountId { get; } = accountId;

    public string Name { get; } = name;

    public string Arn => $"arn:aws:iam::{AccountId}:role/{Name}";

    public string RoleId { get; } = AwsIds.UniqueId("AROA");

    public TrustPolicyBuilder Trust { get; } = trust;

    public TimeSpan MaxSessionDuration { get; } = maxSessionDuration;

    public string AssumedRoleArn(string sessionName) => $"arn:aws:sts::{AccountId}:assumed-role/{Name}/{sessionName}";
}
