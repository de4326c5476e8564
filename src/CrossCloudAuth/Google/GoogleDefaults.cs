namespace CrossCloudAuth.Google;

/// <summary>The defaults and limits of the Google side, in one place.</summary>
internal static class GoogleDefaults
{
    public const string UniverseDomain = "googleapis.com";
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    public const string TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    public const string QuotaProjectHeader = "x-goog-user-project";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MinimumTokenLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaximumTokenLifetime = TimeSpan.FromHours(12);
    public static readonly TimeSpan DefaultImpersonatedLifetime = TimeSpan.FromHours(1);

    /// <summary>Largest token response read from STS or IAM Credentials.</summary>
    public const int MaxTokenResponseBytes = 256 * 1024;

    /// <summary>Largest subject token read from a file, URL or executable (SAML assertions can be tens of kilobytes).</summary>
    public const int MaxSubjectTokenBytes = 1024 * 1024;

    /// <summary>Largest credential configuration file accepted.</summary>
    public const int MaxConfigurationBytes = 256 * 1024;

    public static string DefaultTokenUrl(string universeDomain) => $"https://sts.{universeDomain}/v1/token";
}
