namespace CrossCloudAuth.Testing.Google;

/// <summary>A Google service account and its IAM policy (who may impersonate it).</summary>
public sealed class ServiceAccountBuilder
{
    private readonly HashSet<string> _workloadIdentityUsers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokenCreators = new(StringComparer.Ordinal);

    internal ServiceAccountBuilder(string email)
    {
        Email = email;
        UniqueId = "1" + string.Concat(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email)).Take(10).Select(b => (b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Gets the service account's email.</summary>
    public string Email { get; }

    /// <summary>Gets the numeric unique id (the <c>sub</c> of its ID tokens).</summary>
    public string UniqueId { get; }

    /// <summary>Gets the IAM member naming this service account, <c>serviceAccount:EMAIL</c>.</summary>
    public string Member => "serviceAccount:" + Email;

    /// <summary>Gets the <c>service_account_impersonation_url</c> path part, <c>/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken</c>.</summary>
    public string GenerateAccessTokenPath => $"/v1/projects/-/serviceAccounts/{Email}:generateAccessToken";

    internal IReadOnlySet<string> WorkloadIdentityUsers => _workloadIdentityUsers;

    internal IReadOnlySet<string> TokenCreators => _tokenCreators;

    internal bool LifetimeExtensionAllowed { get; private set; }

    /// <summary>Grants <c>roles/iam.workloadIdentityUser</c> on this service account to <paramref name="member"/> (a <c>principal://</c> or <c>principalSet://</c> identifier).</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public ServiceAccountBuilder GrantWorkloadIdentityUser(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        _workloadIdentityUsers.Add(member);
        return this;
    }

    /// <summary>Grants <c>roles/iam.serviceAccountTokenCreator</c> on this service account to <paramref name="member"/> (e.g. <c>serviceAccount:other@…</c> for delegation chains).</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public ServiceAccountBuilder GrantTokenCreator(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        _tokenCreators.Add(member);
        return this;
    }

    /// <summary>Allows access-token lifetimes up to 12 hours, as the org-policy constraint <c>iam.allowServiceAccountCredentialLifetimeExtension</c> does (default cap 1 hour).</summary>
    /// <returns>This builder.</returns>
    public ServiceAccountBuilder AllowLifetimeExtension()
    {
        LifetimeExtensionAllowed = true;
        return this;
    }
}
