namespace CrossCloudAuth.Aws;

/// <summary>
/// The one rule for what this library signs for Google: a <c>GetCallerIdentity</c> request to the regional AWS STS
/// endpoint of the signing region's partition. The rule lives here, in code; a credential configuration's
/// <c>regional_cred_verification_url</c> can only name an URL that satisfies it. Anything else (another action such
/// as <c>AssumeRole</c>, extra parameters, another host) would turn the library into a signing oracle for whoever
/// wrote the file.
/// </summary>
internal static class VerificationUrl
{
    /// <summary>The <c>{region}</c> placeholder of a URL template.</summary>
    public const string RegionPlaceholder = "{region}";

    private const string Query = "Action=GetCallerIdentity&Version=2011-06-15";

    /// <summary>The default template Google's configuration files carry; it resolves to the partition's regional host.</summary>
    public const string DefaultTemplate = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";

    private const string Form = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15 (in other partitions, that partition's STS host)";

    /// <summary>Builds the URL to sign for <paramref name="region"/> from a template (<see langword="null"/> or gcloud's
    /// default template: the partition's regional endpoint) and checks it.</summary>
    /// <exception cref="ArgumentException">The URL is not the partition's STS <c>GetCallerIdentity</c> endpoint.</exception>
    public static Uri Resolve(string? template, string region, bool allowLoopback)
    {
        string url = template is null || string.Equals(template, DefaultTemplate, StringComparison.Ordinal)
            ? $"https://{AwsStsEndpoints.RegionalHost(region)}?{Query}"
            : template.Replace(RegionPlaceholder, region, StringComparison.Ordinal);
        Uri uri = CheckShape(url, allowLoopback);
        if (!uri.IsLoopback && !AwsStsEndpoints.IsRegionalHost(uri.IdnHost, region))
        {
            throw new ArgumentException(
                $"The regional credential verification URL names the host {uri.IdnHost}, which is not the AWS STS endpoint of the region {region} ({AwsStsEndpoints.RegionalHost(region)}). Use the form {Form}.",
                nameof(template));
        }

        return uri;
    }

    /// <summary>Checks a template before any region is known: everything but the host's region.</summary>
    /// <exception cref="ArgumentException">The URL cannot satisfy the rule for any region.</exception>
    public static void CheckTemplate(string? template, bool allowLoopback)
    {
        if (template is null)
        {
            return;
        }

        // Any valid region name stands in for the placeholder; the host is checked against the real one when signing.
        Uri uri = CheckShape(template.Replace(RegionPlaceholder, "us-east-1", StringComparison.Ordinal), allowLoopback);
        if (uri.IsLoopback)
        {
            return;
        }

        // sts.{region}.{partition suffix} or sts-fips.{region}.{partition suffix}: with a literal region, the host is
        // checked completely now; with the placeholder, when the region is known, before anything is fetched or signed.
        string[] labels = uri.IdnHost.Split('.');
        string region = template.Contains(RegionPlaceholder, StringComparison.Ordinal) ? "us-east-1" : labels.Length > 1 ? labels[1] : string.Empty;
        bool stsLabel = labels[0].Equals("sts", StringComparison.OrdinalIgnoreCase) || labels[0].Equals("sts-fips", StringComparison.OrdinalIgnoreCase);
        bool literalHostOk = template.Contains(RegionPlaceholder, StringComparison.Ordinal)
            || (AwsRegion.IsValid(region) && AwsStsEndpoints.IsRegionalHost(uri.IdnHost, region));
        if (!stsLabel || labels.Length < 4 || !literalHostOk)
        {
            throw new ArgumentException($"The regional credential verification URL names the host {uri.IdnHost}, which is not a regional AWS STS endpoint. Use the form {Form}.");
        }
    }

    private static Uri CheckShape(string url, bool allowLoopback)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The regional credential verification URL is not an absolute https URL. Use the form {Form}.");
        }

        if (uri.IsLoopback && !allowLoopback)
        {
            throw new ArgumentException($"The regional credential verification URL names the loopback host {uri.IdnHost}; only a local emulator uses one, and only when the application allows non-standard endpoints. Use the form {Form}.");
        }

        bool schemeOk = uri.Scheme == Uri.UriSchemeHttps || uri.IsLoopback;
        if (!schemeOk || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment) || (!uri.IsLoopback && !uri.IsDefaultPort))
        {
            throw new ArgumentException($"The regional credential verification URL {uri.Scheme}://{uri.IdnHost} must use https on the default port (plain http only to a loopback emulator) and carry no user info or fragment. Use the form {Form}.");
        }

        // A loopback emulator may serve STS under a path; AWS STS itself has none.
        if (uri.AbsolutePath != "/" && !uri.IsLoopback)
        {
            throw new ArgumentException($"The regional credential verification URL must have no path (it has '{Truncate(uri.AbsolutePath)}'). Use the form {Form}.");
        }

        if (!IsGetCallerIdentityQuery(uri.Query))
        {
            throw new ArgumentException($"The regional credential verification URL must ask for Action=GetCallerIdentity&Version=2011-06-15 and nothing else: this library signs no other AWS request for Google. Use the form {Form}.");
        }

        return uri;
    }

    /// <summary>Exactly the two parameters <c>Action=GetCallerIdentity</c> and <c>Version=2011-06-15</c>, in either order,
    /// each once, with no escaping tricks.</summary>
    private static bool IsGetCallerIdentityQuery(string query)
    {
        if (!query.StartsWith('?'))
        {
            return false;
        }

        string[] parameters = query[1..].Split('&');
        return parameters.Length == 2
            && ((parameters[0] == "Action=GetCallerIdentity" && parameters[1] == "Version=2011-06-15")
                || (parameters[0] == "Version=2011-06-15" && parameters[1] == "Action=GetCallerIdentity"));
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
