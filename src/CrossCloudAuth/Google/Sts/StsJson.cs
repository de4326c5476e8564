using System.Text.Json.Serialization;

namespace CrossCloudAuth.Google;

/// <summary>A successful RFC 8693 token exchange response.</summary>
internal sealed class StsTokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("issued_token_type")]
    public string? IssuedTokenType { get; set; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; set; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }
}

/// <summary>An OAuth 2.0 error response (RFC 6749 section 5.2).</summary>
internal sealed class StsErrorResponse
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }

    [JsonPropertyName("error_uri")]
    public string? ErrorUri { get; set; }
}

/// <summary>The <c>options</c> form field (workforce pools).</summary>
internal sealed class StsOptions
{
    [JsonPropertyName("userProject")]
    public string? UserProject { get; set; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString, MaxDepth = 16, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StsTokenResponse))]
[JsonSerializable(typeof(StsErrorResponse))]
[JsonSerializable(typeof(StsOptions))]
internal sealed partial class StsJsonContext : JsonSerializerContext;
