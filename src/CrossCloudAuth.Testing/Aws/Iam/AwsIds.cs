using System.Security.Cryptography;

namespace CrossCloudAuth.Testing.Aws.Iam;

/// <summary>Random identifiers shaped like AWS's: <c>ASIA…</c> / <c>AKIA…</c> keys, 40-character secrets, <c>AROA…</c> role ids.</summary>
internal static class AwsIds
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string AccessKeyId(bool temporary) => (temporary ? "ASIA" : "AKIA") + Random(Upper, 16);

    public static string UniqueId(string prefix) => prefix + Random(Upper, 17);

    public static string Secret() => Random(SecretAlphabet, 40);

    /// <summary>A session token: opaque, long (real ones run to several hundred characters), base64.</summary>
    public static string SessionToken() => "IQoJb3JpZ2luX2VtdWxhdG9y" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(180));

    public static string RequestId() => Guid.NewGuid().ToString();

    private static string Random(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
