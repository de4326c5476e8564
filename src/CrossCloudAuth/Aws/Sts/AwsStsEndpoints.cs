using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SecurityToken.Endpoints;
using Amazon.SecurityToken.Internal;

namespace CrossCloudAuth.Aws;

/// <summary>
/// The regional AWS STS endpoints of every partition (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc), resolved with
/// AWSSDK.SecurityToken's own endpoint rules rather than a hand-written suffix table: <c>cn-north-1</c> is
/// <c>sts.cn-north-1.amazonaws.com.cn</c>, <c>us-iso-east-1</c> is <c>sts.us-iso-east-1.c2s.ic.gov</c>, and FIPS and
/// dual-stack variants are the partition's own (<c>sts-fips.us-east-2.amazonaws.com</c>, <c>sts.us-east-2.api.aws</c>).
/// </summary>
/// <remarks>Thread-safe; resolutions are remembered per region and variant.</remarks>
internal static class AwsStsEndpoints
{
    private static readonly AmazonSecurityTokenServiceEndpointProvider s_provider = new();
    private static readonly ConcurrentDictionary<(string Region, bool Fips, bool DualStack), string> s_hosts = new();

    /// <summary>The regional STS host of <paramref name="region"/>'s partition, such as <c>sts.us-east-2.amazonaws.com</c>,
    /// or its FIPS or dual-stack variant.</summary>
    /// <exception cref="ArgumentException"><paramref name="region"/> is not a region name.</exception>
    /// <exception cref="NotSupportedException">The partition has no such variant (AWS's rules say why).</exception>
    public static string RegionalHost(string region, bool fips = false, bool dualStack = false)
    {
        AwsRegion.ThrowIfInvalid(region, nameof(region));
        return s_hosts.GetOrAdd((region, fips, dualStack), static key =>
        {
            try
            {
                return new Uri(s_provider.ResolveEndpoint(new SecurityTokenServiceEndpointParameters
                {
                    Region = key.Region,
                    UseFIPS = key.Fips,
                    UseDualStack = key.DualStack,
                    UseGlobalEndpoint = false,
                }).URL).Host;
            }
            catch (AmazonClientException error)
            {
                throw new NotSupportedException(error.Message, error);
            }
        });
    }

    /// <summary>Whether <paramref name="url"/> may replace the regional STS endpoint: an absolute https URL, or http to a
    /// loopback address (a local emulator), without user info (which would travel with the signed request or the
    /// presigned token).</summary>
    public static bool IsAllowedOverride(Uri url) =>
        url.IsAbsoluteUri
        && string.IsNullOrEmpty(url.UserInfo)
        && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    /// <summary>Whether <paramref name="host"/> is the regional STS host of <paramref name="region"/>, or its FIPS host.</summary>
    public static bool IsRegionalHost(string host, string region) =>
        string.Equals(host, RegionalHost(region), StringComparison.OrdinalIgnoreCase)
        || string.Equals(host, RegionalHost(region, fips: true), StringComparison.OrdinalIgnoreCase);
}
