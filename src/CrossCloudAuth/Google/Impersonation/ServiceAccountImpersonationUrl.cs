namespace CrossCloudAuth.Google;

/// <summary>Reads and builds IAM Credentials URLs of the form
/// <c>https://iamcredentials.{universe}/v1/projects/-/serviceAccounts/{EMAIL}:generateAccessToken</c>.</summary>
internal static class ServiceAccountImpersonationUrl
{
    private const string Prefix = "/v1/projects/-/serviceAccounts/";
    private const string AccessTokenSuffix = ":generateAccessToken";

    public static string? TryGetServiceAccount(Uri url)
    {
        string path = Uri.UnescapeDataString(url.AbsolutePath);
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(AccessTokenSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        string account = path[Prefix.Length..^AccessTokenSuffix.Length];
        return account.Length == 0 || account.Contains('/', StringComparison.Ordinal) ? null : account;
    }

    public static Uri ForAccessToken(string universeDomain, string serviceAccount) =>
        new($"https://iamcredentials.{universeDomain}{Prefix}{Uri.EscapeDataString(serviceAccount).Replace("%40", "@", StringComparison.Ordinal)}{AccessTokenSuffix}");

    /// <summary>The generateIdToken URL on the same host as a generateAccessToken URL.</summary>
    public static Uri IdTokenUrlFor(Uri accessTokenUrl)
    {
        string text = accessTokenUrl.GetLeftPart(UriPartial.Path);
        return new Uri(string.Concat(text.AsSpan(0, text.Length - AccessTokenSuffix.Length), ":generateIdToken"));
    }
}
