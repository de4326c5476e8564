using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossCloudAuth.Google;

internal sealed class GenerateAccessTokenRequest
{
    [JsonPropertyName("scope")]
    public required IReadOnlyList<string> Scope { get; init; }

    [JsonPropertyName("lifetime")]
    public string? Lifetime { get; init; }

    [JsonPropertyName("delegates")]
    public IReadOnlyList<string>? Delegates { get; init; }
}

internal sealed class GenerateAccessTokenResponse
{
    [JsonPropertyName("accessToken")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expireTime")]
    public string? ExpireTime { get; set; }
}

internal sealed class GenerateIdTokenRequest
{
    [JsonPropertyName("audience")]
    public required string Audience { get; init; }

    [JsonPropertyName("includeEmail")]
    public bool IncludeEmail { get; init; }

    [JsonPropertyName("delegates")]
    public IReadOnlyList<string>? Delegates { get; init; }
}

internal sealed class GenerateIdTokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }
}

/// <summary>The Google API error envelope: <c>{"error": {"code", "message", "status", "details"}}</c>.</summary>
internal sealed class GoogleApiErrorEnvelope
{
    [JsonPropertyName("error")]
    public GoogleApiError? Error { get; set; }
}

internal sealed class GoogleApiError
{
    [JsonPropertyName("code")]
    public int? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("details")]
    public List<JsonElement>? Details { get; set; }
}

internal sealed class JwtPayload
{
    [JsonPropertyName("exp")]
    public long? Exp { get; set; }
}

[JsonSourceGenerationOptions(MaxDepth = 32, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GenerateAccessTokenRequest))]
[JsonSerializable(typeof(GenerateAccessTokenResponse))]
[JsonSerializable(typeof(GenerateIdTokenRequest))]
[JsonSerializable(typeof(GenerateIdTokenResponse))]
[JsonSerializable(typeof(GoogleApiErrorEnvelope))]
[JsonSerializable(typeof(JwtPayload))]
internal sealed partial class IamJsonContext : JsonSerializerContext;
