using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossCloudAuth.Google;

/// <summary>The <c>external_account</c> credential configuration file as gcloud writes it.</summary>
internal sealed class ExternalAccountJson
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("audience")]
    public string? Audience { get; set; }

    [JsonPropertyName("subject_token_type")]
    public string? SubjectTokenType { get; set; }

    [JsonPropertyName("token_url")]
    public string? TokenUrl { get; set; }

    [JsonPropertyName("service_account_impersonation_url")]
    public string? ServiceAccountImpersonationUrl { get; set; }

    [JsonPropertyName("service_account_impersonation")]
    public ImpersonationJson? ServiceAccountImpersonation { get; set; }

    [JsonPropertyName("credential_source")]
    public CredentialSourceJson? CredentialSource { get; set; }

    [JsonPropertyName("quota_project_id")]
    public string? QuotaProjectId { get; set; }

    [JsonPropertyName("workforce_pool_user_project")]
    public string? WorkforcePoolUserProject { get; set; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; set; }

    [JsonPropertyName("token_info_url")]
    public string? TokenInfoUrl { get; set; }

    [JsonPropertyName("universe_domain")]
    public string? UniverseDomain { get; set; }
}

internal sealed class ImpersonationJson
{
    [JsonPropertyName("token_lifetime_seconds")]
    public int? TokenLifetimeSeconds { get; set; }
}

internal sealed class CredentialSourceJson
{
    [JsonPropertyName("file")]
    public string? File { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, string>? Headers { get; set; }

    [JsonPropertyName("format")]
    public FormatJson? Format { get; set; }

    [JsonPropertyName("environment_id")]
    public string? EnvironmentId { get; set; }

    [JsonPropertyName("region_url")]
    public string? RegionUrl { get; set; }

    [JsonPropertyName("regional_cred_verification_url")]
    public string? RegionalCredentialVerificationUrl { get; set; }

    [JsonPropertyName("imdsv2_session_token_url")]
    public string? Imdsv2SessionTokenUrl { get; set; }

    [JsonPropertyName("executable")]
    public ExecutableJson? Executable { get; set; }

    [JsonPropertyName("certificate")]
    public JsonElement? Certificate { get; set; }
}

internal sealed class FormatJson
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("subject_token_field_name")]
    public string? SubjectTokenFieldName { get; set; }
}

internal sealed class ExecutableJson
{
    [JsonPropertyName("command")]
    public string? Command { get; set; }

    [JsonPropertyName("timeout_millis")]
    public int? TimeoutMillis { get; set; }

    [JsonPropertyName("output_file")]
    public string? OutputFile { get; set; }
}

[JsonSourceGenerationOptions(
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    MaxDepth = ExternalAccountConfiguration.MaxJsonDepth)]
[JsonSerializable(typeof(ExternalAccountJson))]
internal sealed partial class ExternalAccountJsonContext : JsonSerializerContext;
