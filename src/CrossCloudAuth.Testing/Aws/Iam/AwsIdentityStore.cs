using System.Collections.Concurrent;

namespace CrossCloudAuth.Testing.Aws.Iam;

/// <summary>
/// The emulated AWS identity plane: accounts, roles, users, and every access key the emulator issued.
/// Keys it did not issue do not exist here, so requests signed with them fail as <c>InvalidClientTokenId</c>.
/// Thread-safe once the emulator has started (roles and users are only added while building).
/// </summary>
internal sealed class AwsIdentityStore(TimeProvider clock)
{
    private readonly Dictionary<string, AwsRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AwsUser> _users = new(StringComparer.Ordinal);
    private readonly HashSet<string> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AwsKey> _keys = new(StringComparer.Ordinal);

    public TimeProvider Clock { get; set; } = clock;

    public IReadOnlyCollection<string> Accounts => _accounts;

    public IEnumerable<AwsRole> Roles => _roles.Values;

    public void AddAccount(string accountId) => _accounts.Add(accountId);

    public void AddRole(AwsRole role)
    {
        if (!_roles.TryAdd(role.Arn, role))
        {
            throw new InvalidOperationException($"The role {role.Arn} is already defined.");
        }
    }

    public void AddUser(AwsUser user)
    {
        _users.Add(user.Arn, user);
        _keys[user.Credentials.AccessKeyId] = new AwsKey(user.Credentials.AccessKeyId, user.Credentials.SecretAccessKey, null, null, user.AccountId, user.Arn, user.UserId, null, null);
    }

    public AwsRole? FindRole(string arn) => _roles.GetValueOrDefault(arn);

    public AwsKey? FindKey(string accessKeyId) => _keys.GetValueOrDefault(accessKeyId);

    /// <summary>Issues a role session: new <c>ASIA…</c> key, secret and session token, registered for verification.</summary>
    public AwsKey IssueSession(AwsRole role, string sessionName, TimeSpan duration)
    {
        DateTimeOffset now = Clock.GetUtcNow();
        DateTimeOffset expiration = TruncateToSeconds(now + duration);
        var key = new AwsKey(
            AwsIds.AccessKeyId(temporary: true),
            AwsIds.Secret(),
            AwsIds.SessionToken(),
            expiration,
            role.AccountId,
            role.AssumedRoleArn(sessionName),
            role.RoleId + ":" + sessionName,
            role,
            sessionName);
        _keys[key.AccessKeyId] = key;
        PruneExpired(now);
        return key;
    }

    /// <summary>Whether an AWS principal ARN of the trust policy covers the caller.</summary>
    public static bool PrincipalMatches(string trusted, AwsKey caller)
    {
        if (trusted == caller.PrincipalArn || trusted == caller.CallerArn)
        {
            return true;
        }

        return trusted == $"arn:aws:iam::{caller.AccountId}:root";
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());

    private void PruneExpired(DateTimeOffset now)
    {
        if (_keys.Count < 10_000)
        {
            return;
        }

        foreach ((string id, AwsKey key) in _keys)
        {
            if (key.Expiration < now - TimeSpan.FromHours(1))
            {
                _keys.TryRemove(id, out _);
            }
        }
    }
}
