using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Testing.Aws;

/// <summary>An IAM user with a long-term access key (<c>AKIA…</c>) that the emulated STS accepts.</summary>
public sealed class AwsUser
{
    internal AwsUser(string accountId, string name, AwsCredentials credentials, string userId)
    {
        AccountId = accountId;
        Name = name;
        Credentials = credentials;
        UserId = userId;
    }

    /// <summary>Gets the account the user belongs to.</summary>
    public string AccountId { get; }

    /// <summary>Gets the user name.</summary>
    public string Name { get; }

    /// <summary>Gets the user's ARN, <c>arn:aws:iam::ACCOUNT:user/NAME</c>.</summary>
    public string Arn => $"arn:aws:iam::{AccountId}:user/{Name}";

    /// <summary>Gets the unique id (<c>AIDA…</c>) that <c>GetCallerIdentity</c> reports.</summary>
    public string UserId { get; }

    /// <summary>Gets the user's long-term access key.</summary>
    public AwsCredentials Credentials { get; }
}
