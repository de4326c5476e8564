using System.Text.Json.Serialization;

namespace CrossCloudAuth.Aws;

/// <summary>The <c>ExecCredential</c> object as written to kubectl.</summary>
internal sealed class ExecCredentialDocument
{
    [JsonPropertyName("kind")]
    [JsonPropertyOrder(0)]
    public string Kind { get; set; } = "ExecCredential";

    [JsonPropertyName("apiVersion")]
    [JsonPropertyOrder(1)]
    public string ApiVersion { get; set; } = ExecCredential.ApiVersionV1Beta1;

    [JsonPropertyName("spec")]
    [JsonPropertyOrder(2)]
    public ExecCredentialSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [JsonPropertyOrder(3)]
    public ExecCredentialStatus Status { get; set; } = new();
}

/// <summary>The empty <c>spec</c> of an answer.</summary>
internal sealed class ExecCredentialSpec;

/// <summary>The <c>status</c> of an answer.</summary>
internal sealed class ExecCredentialStatus
{
    [JsonPropertyName("expirationTimestamp")]
    public string ExpirationTimestamp { get; set; } = string.Empty;

    [JsonPropertyName("token")]
    public string Token { get; set; } = string.Empty;
}

/// <summary>The <c>KUBERNETES_EXEC_INFO</c> request kubectl passes (only what the answer depends on).</summary>
internal sealed class ExecCredentialRequest
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ExecCredentialDocument))]
[JsonSerializable(typeof(ExecCredentialRequest))]
internal sealed partial class ExecCredentialJsonContext : JsonSerializerContext;
