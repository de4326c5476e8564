using System.Net;
using System.Text.RegularExpressions;

namespace CrossCloudAuth.Google.Configuration;

/// <summary>
/// Checks endpoints taken from a configuration before any token is sent to them: Google endpoints must be https on
/// a Google host of the configured universe domain, instance metadata endpoints must be the link-local addresses.
/// A configuration from an untrusted source therefore cannot send a subject token, an STS token or AWS credentials
/// anywhere else. <see cref="GoogleFederatedCredentialOptions.AllowNonStandardEndpoints"/> lifts the host checks
/// (for emulators and tests), never the scheme check.
/// </summary>
internal static partial class GoogleEndpointPolicy
{
    private static readonly IPAddress s_imdsV4 = IPAddress.Parse("169.254.169.254");
    private static readonly IPAddress s_imdsV6 = IPAddress.Parse("fd00:ec2::254");

    public static void ValidateStsUrl(Uri url, string universeDomain, bool allowNonStandard, string field, string hop) =>
        ValidateGoogle(url, universeDomain, allowNonStandard, field, hop, "sts", $"https://sts.{universeDomain}/v1/token or a regional https://sts.{{region}}.rep.{universeDomain}/v1/token");

    public static void ValidateIamCredentialsUrl(Uri url, string universeDomain, bool allowNonStandard, string field, string hop) =>
        ValidateGoogle(url, universeDomain, allowNonStandard, field, hop, "iamcredentials", $"https://iamcredentials.{universeDomain}/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken");

    public static void ValidateAwsMetadataUrl(Uri url, bool allowNonStandard, string field, string hop)
    {
        RequireHttpScheme(url, field, hop);
        if (allowNonStandard)
        {
            return;
        }

        bool linkLocal = url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out IPAddress? address)
            && (address.Equals(s_imdsV4) || address.Equals(s_imdsV6));
        if (!linkLocal || url.Scheme != Uri.UriSchemeHttp || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} points to {url.Scheme}://{url.Authority}, but instance metadata lives only at http://169.254.169.254 or http://[fd00:ec2::254]; a configuration may not send AWS credential requests elsewhere. Fix the field, or set AllowNonStandardEndpoints for an emulator.");
        }
    }

    public static bool IsGoogleHost(string host, string universeDomain, string service)
    {
        if (!host.EndsWith("." + universeDomain, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string prefix = host[..^(universeDomain.Length + 1)].ToLowerInvariant();
        Match match = ServicePrefix().Match(prefix);
        return match.Success && match.Groups["service"].Value == service;
    }

    private static void ValidateGoogle(Uri url, string universeDomain, bool allowNonStandard, string field, string hop, string service, string expected)
    {
        RequireHttpScheme(url, field, hop);
        if (allowNonStandard)
        {
            return;
        }

        if (url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.UserInfo) || !url.IsDefaultPort || !IsGoogleHost(url.IdnHost, universeDomain, service))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} points to {url.Scheme}://{url.Authority}, which is not a Google {service} endpoint of the universe domain {universeDomain}. Expected {expected}. A configuration may not send tokens to other hosts; if this is an emulator or a test, set AllowNonStandardEndpoints.");
        }
    }

    private static void RequireHttpScheme(Uri url, string field, string hop)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} must be an absolute http(s) URL.");
        }
    }

    // sts / sts.mtls / sts.{region}.rep / sts.{region}.rep.mtls / sts.{region} / {region}-sts / sts-{psc}.p
    [GeneratedRegex(@"^(?:(?<service>[a-z]+)(?:\.mtls)?|(?<service>[a-z]+)\.[a-z0-9-]+\.rep(?:\.mtls)?|(?<service>[a-z]+)\.[a-z0-9-]+|[a-z0-9-]+-(?<service>[a-z]+)|(?<service>[a-z]+)-[a-z0-9-]+\.p)$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ServicePrefix();
}
