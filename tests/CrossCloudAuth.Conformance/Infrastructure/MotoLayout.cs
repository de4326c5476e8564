using System.Text.Json.Serialization;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>What <c>python/moto_bootstrap.py</c> created in moto (see that file for the accounts' roles).</summary>
internal sealed record MotoLayout(
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("ciAccount")] string CiAccount,
    [property: JsonPropertyName("targetAccount")] string TargetAccount,
    [property: JsonPropertyName("oidcProviderArn")] string OidcProviderArn,
    [property: JsonPropertyName("ciRoleArn")] string CiRoleArn,
    [property: JsonPropertyName("targetRoleArn")] string TargetRoleArn,
    [property: JsonPropertyName("user")] MotoUser User,
    [property: JsonPropertyName("bucket")] string Bucket);

/// <summary>The IAM user with a long-term access key whose signatures moto verifies.</summary>
internal sealed record MotoUser(
    [property: JsonPropertyName("arn")] string Arn,
    [property: JsonPropertyName("accessKeyId")] string AccessKeyId,
    [property: JsonPropertyName("secretAccessKey")] string SecretAccessKey)
{
    public override string ToString() => $"MotoUser {{ Arn = {Arn}, AccessKeyId = {AccessKeyId} }}";
}
