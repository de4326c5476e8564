using System.Text.RegularExpressions;

namespace CrossCloudAuth.Google;

/// <summary>Reads the pool out of a provider's full resource name, to name the IAM member that needs a binding.</summary>
internal static partial class WorkloadIdentityAudience
{
    public static bool IsWorkforcePool(string audience) => WorkforcePool().IsMatch(audience);

    /// <summary>Returns the pool as <c>iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool</c>
    /// (the part after <c>principal://</c> or <c>principalSet://</c> in IAM members), or null.</summary>
    public static string? PoolMemberPath(string audience)
    {
        Match match = WorkloadPool().Match(audience);
        if (!match.Success)
        {
            match = WorkforcePool().Match(audience);
        }

        return match.Success ? $"{match.Groups["host"].Value}/{match.Groups["pool"].Value}" : null;
    }

    [GeneratedRegex(@"^(?:https:)?//(?<host>iam\.[a-z0-9.-]+)/(?<pool>projects/[^/]+/locations/[^/]+/workloadIdentityPools/[^/]+)/providers/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkloadPool();

    [GeneratedRegex(@"^(?:https:)?//(?<host>iam\.[a-z0-9.-]+)/(?<pool>locations/[^/]+/workforcePools/[^/]+)/providers/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkforcePool();
}
