using System.Globalization;

namespace CrossCloudAuth.Tests.Aws;

/// <summary>Credential values used across the AWS tests. The secret parts are distinctive so that tests can assert
/// that no message, log or hop name ever contains them.</summary>
internal static class AwsTestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public const string AccessKeyId = "ASIAEXAMPLEKEYID0001";
    public const string SecretAccessKey = "SECRETwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "SESSIONTOKENIQoJb3JpZ2luX2VjEIzSECRETSESSION";

    public static IEnumerable<string> Secrets => [SecretAccessKey, SessionToken];

    public static string CredentialJson(DateTimeOffset expiration, string code = "Success") =>
        $$"""
        {
          "Code" : "{{code}}",
          "LastUpdated" : "{{Now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}",
          "Type" : "AWS-HMAC",
          "AccessKeyId" : "{{AccessKeyId}}",
          "SecretAccessKey" : "{{SecretAccessKey}}",
          "Token" : "{{SessionToken}}",
          "Expiration" : "{{expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"
        }
        """;

    public static void AssertNoSecret(string? text, params string[] moreSecrets)
    {
        if (text is null)
        {
            return;
        }

        foreach (string secret in Secrets.Concat(moreSecrets))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    public static void AssertNoSecret(Exception error, params string[] moreSecrets)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            AssertNoSecret(e.Message, moreSecrets);
        }
    }
}
