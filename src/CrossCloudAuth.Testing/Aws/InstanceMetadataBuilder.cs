namespace CrossCloudAuth.Testing.Aws;

/// <summary>Configures the emulated EC2 instance metadata service (IMDS): the instance role, placement and IMDSv1.</summary>
public sealed class InstanceMetadataBuilder
{
    internal InstanceMetadataBuilder()
    {
    }

    internal string? RoleArn { get; private set; }

    internal string Region { get; private set; } = "us-east-1";

    internal string AvailabilityZone { get; private set; } = "us-east-1a";

    internal bool ImdsV1Allowed { get; private set; }

    internal string InstanceId { get; private set; } = "i-0123456789abcdef0";

    internal TimeSpan CredentialLifetime { get; private set; } = TimeSpan.FromHours(6);

    /// <summary>Attaches an instance profile whose role is <paramref name="roleName"/> in <paramref name="accountId"/>; the role must exist (add it with <see cref="AwsAccountBuilder.AddRole"/>).</summary>
    /// <param name="accountId">The role's account.</param>
    /// <param name="roleName">The role name, as <c>/latest/meta-data/iam/security-credentials/</c> lists it.</param>
    /// <returns>This builder.</returns>
    public InstanceMetadataBuilder UseRole(string accountId, string roleName)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(roleName);
        RoleArn = $"arn:aws:iam::{accountId}:role/{roleName}";
        return this;
    }

    /// <summary>Sets the instance's region and availability zone (default <c>us-east-1</c> / <c>us-east-1a</c>).</summary>
    /// <param name="region">The region.</param>
    /// <param name="availabilityZone">The zone; the region plus <c>a</c> when omitted.</param>
    /// <returns>This builder.</returns>
    public InstanceMetadataBuilder UseRegion(string region, string? availabilityZone = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        Region = region;
        AvailabilityZone = availabilityZone ?? region + "a";
        return this;
    }

    /// <summary>Sets the instance id (default <c>i-0123456789abcdef0</c>).</summary>
    /// <param name="instanceId">The instance id.</param>
    /// <returns>This builder.</returns>
    public InstanceMetadataBuilder UseInstanceId(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        InstanceId = instanceId;
        return this;
    }

    /// <summary>Also answers token-less IMDSv1 GETs (instances with <c>HttpTokens=optional</c>). Off by default, like <c>HttpTokens=required</c>.</summary>
    /// <returns>This builder.</returns>
    public InstanceMetadataBuilder AllowImdsV1()
    {
        ImdsV1Allowed = true;
        return this;
    }

    /// <summary>Sets the lifetime of the role credentials IMDS hands out (default 6 hours; rotated 15 minutes before expiry).</summary>
    /// <param name="lifetime">Between 15 minutes and 12 hours.</param>
    /// <returns>This builder.</returns>
    public InstanceMetadataBuilder UseCredentialLifetime(TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lifetime, TimeSpan.FromMinutes(15));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, TimeSpan.FromHours(12));
        CredentialLifetime = lifetime;
        return this;
    }
}
