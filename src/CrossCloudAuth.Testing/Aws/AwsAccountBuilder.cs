using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Aws.Iam;

namespace CrossCloudAuth.Testing.Aws;

/// <summary>Configures one emulated AWS account: its IAM roles (with trust policies) and users.</summary>
public sealed class AwsAccountBuilder
{
    private readonly AwsIdentityStore _store;

    internal AwsAccountBuilder(AwsIdentityStore store, string accountId)
    {
        _store = store;
        AccountId = accountId;
    }

    /// <summary>Gets the 12-digit account id.</summary>
    public string AccountId { get; }

    /// <summary>Adds an IAM role.</summary>
    /// <param name="name">The role name.</param>
    /// <param name="trust">Builds the trust policy: who may assume the role.</param>
    /// <param name="maxSessionDuration">The role's maximum session duration, 1–12 hours; default 1 hour.</param>
    /// <returns>This builder, to add more roles.</returns>
    public AwsAccountBuilder AddRole(string name, Action<TrustPolicyBuilder> trust, TimeSpan? maxSessionDuration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(trust);
        TimeSpan max = maxSessionDuration ?? TimeSpan.FromHours(1);
        if (max < TimeSpan.FromHours(1) || max > TimeSpan.FromHours(12))
        {
            throw new ArgumentOutOfRangeException(nameof(maxSessionDuration), max, "IAM allows a maximum session duration of 1 to 12 hours.");
        }

        var policy = new TrustPolicyBuilder();
        trust(policy);
        _store.AddRole(new AwsRole(AccountId, name, policy, max));
        return this;
    }

    /// <summary>Adds an IAM user with a long-term access key, e.g. the caller of a first <c>AssumeRole</c>.</summary>
    /// <param name="name">The user name.</param>
    /// <returns>The user, whose <see cref="AwsUser.Credentials"/> sign requests to the emulated STS.</returns>
    public AwsUser AddUser(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var credentials = new AwsCredentials(AwsIds.AccessKeyId(temporary: false), AwsIds.Secret());
        var user = new AwsUser(AccountId, name, credentials, AwsIds.UniqueId("AIDA"));
        _store.AddUser(user);
        return user;
    }

    /// <summary>Returns the ARN of a role of this account.</summary>
    /// <param name="roleName">The role name.</param>
    /// <returns><c>arn:aws:iam::ACCOUNT:role/NAME</c>.</returns>
    public string RoleArn(string roleName) => $"arn:aws:iam::{AccountId}:role/{roleName}";
}
