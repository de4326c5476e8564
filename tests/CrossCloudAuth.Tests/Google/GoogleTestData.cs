using System.Text;
using CrossCloudAuth.Http;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.Google.Fixtures;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Google;

/// <summary>Shared values and builders for the Google-side tests.</summary>
internal static class GoogleTestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public const string TokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    public const string EksAudience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/providers/test-oidc";
    public const string AwsAudience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/mypool01/providers/myprovider01";
    public const string CloudPlatform = "https://www.googleapis.com/auth/cloud-platform";
    public const string StorageReadOnly = "https://www.googleapis.com/auth/devstorage.read_only";

    /// <summary>An unsigned JWT with the given expiry, as IAM Credentials' generateIdToken returns (signature not checked).</summary>
    public static string Jwt(DateTimeOffset expiresOn, string audience = "https://service.example")
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"RS256","typ":"JWT"}""")}.{Part($$"""{"aud":"{{audience}}","exp":{{expiresOn.ToUnixTimeSeconds()}},"email":"sa01@my-project.iam.gserviceaccount.com"}""")}.c2lnbmF0dXJl";
    }

    public static GoogleFederatedCredential FromFixture(
        string fixture,
        FakeGoogleEndpoints fake,
        FakeTimeProvider time,
        FakeSystemEnvironment environment,
        Action<GoogleFederatedCredentialOptions>? configure = null)
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read(fixture), fixture);
        return GoogleFederatedCredential.FromConfiguration(config, options =>
        {
            options.HttpClient = new HttpClient(fake);
            options.TimeProvider = time;
            options.Environment = environment;
            options.Retry = new HopRetryOptions { BaseDelay = TimeSpan.Zero };
            configure?.Invoke(options);
        });
    }
}
