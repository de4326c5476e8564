using System.Collections.Concurrent;
using Amazon.SecurityToken.Endpoints;
using Amazon.SecurityToken.Internal;

namespace CrossCloudAuth.Aws;

/// <summary>
/// The regional AWS STS endpoints of every partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc), resolved with
/// AWSSDK.SecurityToken's own endpoint rules rather than a hand-written suffix table: <c>cn-north-1</c> is
/// <c>sts.cn-north-1.amazonaws.com.cn</c>, <c>us-iso-east-1</c> is <c>sts.us-iso-east-1.c2s.ic.gov</c>.
/// </summary>
/// <remarks>Thread-safe; resolutions are remembered per region.</remarks>
internal static class AwsStsEndpoints
{
    private static readonly AmazonSecurityTokenServiceEndpointProvider s_provider = new();
    private static readonly ConcurrentDictionary<string, Hosts> s_hosts = new(StringComparer.Ordinal);

    /// <summary>The regional STS host of <paramref name="region"/>'s partition, such as <c>sts.us-east-2.amazonaws.com</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="region"/> is not a region name.</exception>
    public static string RegionalHost(string region) => Resolve(region).Regional;

    /// <summary>Whether <paramref name="host"/> is the regional STS host of <paramref name="region"/>, or its FIPS host.</summary>
    public static bool IsRegionalHost(string host, string region)
    {
        Hosts hosts = Resolve(region);
        return string.Equals(host, hosts.Regional, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, hosts.Fips, StringComparison.OrdinalIgnoreCase);
    }

    private static Hosts Resolve(string region)
    {
        AwsRegion.ThrowIfInvalid(region, nameof(region));
        return s_hosts.GetOrAdd(region, static r => new Hosts(HostOf(r, fips: false), HostOf(r, fips: true)));
    }

    private static string HostOf(string region, bool fips) =>
        new Uri(s_provider.ResolveEndpoint(new SecurityTokenServiceEndpointParameters
        {
            Region = region,
            UseFIPS = fips,
            UseDualStack = false,
            UseGlobalEndpoint = false,
        }).URL).Host;

    private sealed record Hosts(string Regional, string Fips);
}
