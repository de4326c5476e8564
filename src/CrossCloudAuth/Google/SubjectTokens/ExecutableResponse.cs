using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossCloudAuth.Google;

/// <summary>The JSON an executable prints (version 1 of Google's executable-sourced credential protocol).</summary>
internal sealed class ExecutableResponse
{
    [JsonPropertyName("version")]
    public int? Version { get; set; }

    [JsonPropertyName("success")]
    public bool? Success { get; set; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    [JsonPropertyName("id_token")]
    public string? IdToken { get; set; }

    [JsonPropertyName("saml_response")]
    public string? SamlResponse { get; set; }

    [JsonPropertyName("expiration_time")]
    public long? ExpirationTime { get; set; }

    [JsonPropertyName("code")]
    public JsonElement? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16)]
[JsonSerializable(typeof(ExecutableResponse))]
internal sealed partial class ExecutableJsonContext : JsonSerializerContext;
