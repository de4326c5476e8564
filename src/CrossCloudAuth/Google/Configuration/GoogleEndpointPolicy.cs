using System.Net;
using System.Text.RegularExpressions;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Google;

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

    /// <summary>Checks that the universe domain the application chose is a bare DNS name of at least two labels
    /// (so not <c>com</c>, <c>localhost</c> or an address). Which universes are trusted is decided by
    /// <see cref="ValidateUniverseDomain"/>, never by the shape of the name.</summary>
    public static bool IsWellFormedUniverseDomain(string domain)
    {
        if (domain.Length is 0 or > 253)
        {
            return false;
        }

        string[] labels = domain.Split('.');
        return labels.Length >= 2
            && labels.All(static label => label.Length is > 0 and <= 63 && !label.StartsWith('-') && !label.EndsWith('-') && label.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            && !labels[^1].All(char.IsAsciiDigit);
    }

    /// <summary>
    /// Decides which universe a credential runs in. The trust anchor is <paramref name="allowedUniverse"/>, set by the
    /// application in code (<see cref="GoogleFederatedCredentialOptions.UniverseDomain"/>, <c>googleapis.com</c> unless
    /// changed); a configuration file may name that universe, and no other: a file that names
    /// <c>evil.example</c> would otherwise make its own hosts count as Google's.
    /// </summary>
    public static string ValidateUniverseDomain(string? allowedUniverse, string? fileUniverse, string hop)
    {
        string universe = string.IsNullOrWhiteSpace(allowedUniverse) ? GoogleDefaults.UniverseDomain : allowedUniverse.Trim().ToLowerInvariant();
        if (!IsWellFormedUniverseDomain(universe))
        {
            throw new CredentialConfigurationException(hop, "UniverseDomain must be a bare domain name of a Google Cloud universe, such as googleapis.com.");
        }

        if (fileUniverse is not null && !string.Equals(fileUniverse, universe, StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialConfigurationException(hop, $"The configuration names universe_domain \"{ServiceErrorText.Quote(fileUniverse)}\", but this application runs in the universe {universe}. A configuration file cannot choose which hosts count as Google's. If that universe is one your organization uses, set GoogleFederatedCredentialOptions.UniverseDomain (or UniverseDomain in the dependency injection options) to it in the application; otherwise fix or replace the file.");
        }

        return universe;
    }

    /// <summary>
    /// Checks a subject token URL (<c>credential_source.url</c>): never user info (a password would end up in hop names,
    /// messages and telemetry), and never an AWS instance metadata or container credentials endpoint, whose answer is an
    /// instance or task role's secret key, not a subject token. Azure's managed identity endpoint
    /// (<c>http://169.254.169.254/metadata/identity/oauth2/token</c>), which serves tokens meant for federation, stays
    /// allowed. <paramref name="allowNonStandard"/> lifts the metadata check (an emulator), never the user info check.
    /// </summary>
    public static void ValidateSubjectTokenUrl(Uri url, bool allowNonStandard, string field, string hop)
    {
        RequireHttpScheme(url, field, hop);
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} carries user info (user:password@host). Credentials in a URL leak into logs and messages; send them in credential_source.headers instead.");
        }

        if (allowNonStandard || !IsCloudMetadataAddress(url, out IPAddress? address))
        {
            return;
        }

        bool azureManagedIdentity = address.Equals(s_imdsV4) && url.AbsolutePath.StartsWith("/metadata/", StringComparison.Ordinal);
        if (!azureManagedIdentity)
        {
            throw new CredentialConfigurationException(hop, $"The field {field} points to the link-local address {address}, an instance metadata or container credentials endpoint. Its answer is a role's secret key, not a subject token, and a configuration may not forward it. Use credential_source.environment_id \"aws1\" to federate an AWS role, or set AllowNonStandardEndpoints for an emulator.");
        }
    }

    /// <summary>Whether a URL's host is a link-local address (169.254.0.0/16, fe80::/10, AWS's fd00:ec2::/32) or an AWS
    /// metadata host name, whatever notation the URL uses for it.</summary>
    private static bool IsCloudMetadataAddress(Uri url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        string host = url.IdnHost.Trim('[', ']').TrimEnd('.');
        if (host.Equals("instance-data", StringComparison.OrdinalIgnoreCase) || host.StartsWith("instance-data.", StringComparison.OrdinalIgnoreCase))
        {
            address = s_imdsV4;
            return true;
        }

        if (!IPAddress.TryParse(host, out IPAddress? parsed))
        {
            return false;
        }

        if (parsed.IsIPv4MappedToIPv6)
        {
            parsed = parsed.MapToIPv4();
        }

        byte[] bytes = parsed.GetAddressBytes();
        bool linkLocal = parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? bytes[0] == 169 && bytes[1] == 254
            : parsed.IsIPv6LinkLocal || (bytes[0] == 0xfd && bytes[1] == 0x00 && bytes[2] == 0x0e && bytes[3] == 0xc2);
        address = linkLocal ? parsed : null;
        return linkLocal;
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

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} carries user info (user:password@host). Credentials in a URL leak into logs and messages; no endpoint of this library takes them.");
        }
    }

    // sts / sts.mtls / sts.{region}.rep / sts.{region}.rep.mtls / sts.{region} / {region}-sts / sts-{psc}.p
    [GeneratedRegex(@"^(?:(?<service>[a-z]+)(?:\.mtls)?|(?<service>[a-z]+)\.[a-z0-9-]+\.rep(?:\.mtls)?|(?<service>[a-z]+)\.[a-z0-9-]+|[a-z0-9-]+-(?<service>[a-z]+)|(?<service>[a-z]+)-[a-z0-9-]+\.p)$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ServicePrefix();
}
