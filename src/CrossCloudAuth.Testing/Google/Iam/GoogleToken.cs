namespace CrossCloudAuth.Testing.Google.Iam;

/// <summary>The kind of principal a Google access token stands for.</summary>
internal enum GooglePrincipalKind
{
    Federated,
    ServiceAccount,
}

/// <summary>An access token the emulated Google issued, and who it stands for.</summary>
internal sealed record GoogleToken(
    string Value,
    GooglePrincipalKind Kind,
    string? PoolResource,
    string? Subject,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> Groups,
    string? ServiceAccountEmail,
    IReadOnlySet<string> Scopes,
    DateTimeOffset ExpiresAt)
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>Gets how error messages name the caller: the service account email or the federated principal.</summary>
    public string DisplayName => Kind == GooglePrincipalKind.ServiceAccount
        ? ServiceAccountEmail!
        : $"principal://iam.googleapis.com/{PoolResource}/subject/{Subject}";

    public bool HasAnyScope(params string[] scopes) => scopes.Any(s => Scopes.Contains(s));

    /// <summary>Whether an IAM member (<c>serviceAccount:</c>, <c>principal://</c>, <c>principalSet://</c>, <c>allUsers</c>) covers this token's principal.</summary>
    public bool IsMember(string member)
    {
        if (member is "allUsers" or "allAuthenticatedUsers")
        {
            return true;
        }

        if (Kind == GooglePrincipalKind.ServiceAccount)
        {
            return string.Equals(member, "serviceAccount:" + ServiceAccountEmail, StringComparison.OrdinalIgnoreCase);
        }

        string poolPrefix = $"//iam.googleapis.com/{PoolResource}/";
        if (member.StartsWith("principal:" + poolPrefix, StringComparison.Ordinal))
        {
            string rest = member[("principal:" + poolPrefix).Length..];
            return rest.StartsWith("subject/", StringComparison.Ordinal) && rest["subject/".Length..] == Subject;
        }

        if (!member.StartsWith("principalSet:" + poolPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        string set = member[("principalSet:" + poolPrefix).Length..];
        if (set == "*")
        {
            return true;
        }

        if (set.StartsWith("group/", StringComparison.Ordinal))
        {
            return Groups.Contains(set["group/".Length..]);
        }

        if (set.StartsWith("attribute.", StringComparison.Ordinal))
        {
            int slash = set.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 && Attributes.TryGetValue(set["attribute.".Length..slash], out string? value) && value == set[(slash + 1)..];
        }

        return false;
    }
}
