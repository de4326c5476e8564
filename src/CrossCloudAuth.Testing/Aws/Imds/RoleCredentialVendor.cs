using CrossCloudAuth.Testing.Aws.Iam;

namespace CrossCloudAuth.Testing.Aws.Imds;

/// <summary>
/// Hands out real emulated-STS sessions of one role, reusing the current one until 15 minutes before it
/// expires (as EC2 rotates instance-profile credentials), so they verify at the emulated STS.
/// </summary>
internal sealed class RoleCredentialVendor(AwsIdentityStore store, string roleArn, TimeSpan lifetime, string sessionName)
{
    private static readonly TimeSpan RotateBefore = TimeSpan.FromMinutes(15);
    private readonly object _gate = new();
    private AwsKey? _current;
    private DateTimeOffset _issuedAt;

    public string RoleArn => roleArn;

    public string RoleName => roleArn[(roleArn.LastIndexOf('/') + 1)..];

    public (AwsKey Key, DateTimeOffset IssuedAt)? Current()
    {
        AwsRole? role = store.FindRole(roleArn);
        if (role is null)
        {
            return null;
        }

        DateTimeOffset now = store.Clock.GetUtcNow();
        lock (_gate)
        {
            if (_current is null || now >= _current.Expiration!.Value - RotateBefore)
            {
                _current = store.IssueSession(role, sessionName, lifetime);
                _issuedAt = now;
            }

            return (_current, _issuedAt);
        }
    }
}
