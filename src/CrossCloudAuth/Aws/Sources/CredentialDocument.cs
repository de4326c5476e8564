using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Aws;

/// <summary>The JSON credential document that instance metadata and container endpoints serve.</summary>
internal sealed class CredentialDocument
{
    public string? Code { get; set; }

    public string? Message { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? Token { get; set; }

    public string? Expiration { get; set; }

    /// <summary>How long temporary credentials (with a token) whose document names no expiry are trusted before they
    /// are fetched again.</summary>
    public static readonly TimeSpan AssumedLifetimeWithoutExpiration = TimeSpan.FromMinutes(15);

    /// <summary>Parses a credential document, rejecting incomplete, failed or already expired ones. Temporary
    /// credentials without an <c>Expiration</c> are given <see cref="AssumedLifetimeWithoutExpiration"/>, so that they
    /// are fetched again rather than cached forever.</summary>
    /// <exception cref="CredentialRequestFailedException">The document is malformed, reports a failure, or has expired.</exception>
    public static AwsCredentials Parse(string json, string hopName, DateTimeOffset now, string fix)
    {
        CredentialDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, AwsJsonContext.Default.CredentialDocument);
        }
        catch (JsonException error)
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"The credential response is not valid JSON (at line {error.LineNumber}, byte {error.BytePositionInLine}). {fix}",
                HttpStatusCode.OK,
                "MalformedResponse",
                isTransient: true);
        }

        if (document is null)
        {
            throw new CredentialRequestFailedException(hopName, $"The credential response is empty. {fix}", HttpStatusCode.OK, "MalformedResponse", isTransient: true);
        }

        if (document.Code is not null && !string.Equals(document.Code, "Success", StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"The credential endpoint reported '{ServiceErrorText.Quote(document.Code)}'{(string.IsNullOrEmpty(document.Message) ? "" : $": {ServiceErrorText.Quote(document.Message)}")}. {fix}",
                HttpStatusCode.OK,
                ServiceErrorText.Quote(document.Code),
                isTransient: true);
        }

        if (string.IsNullOrEmpty(document.AccessKeyId) || string.IsNullOrEmpty(document.SecretAccessKey))
        {
            throw new CredentialRequestFailedException(
                hopName,
                $"The credential response lacks AccessKeyId or SecretAccessKey. {fix}",
                HttpStatusCode.OK,
                "MalformedResponse",
                isTransient: true);
        }

        DateTimeOffset? expiresOn = null;
        if (!string.IsNullOrEmpty(document.Expiration))
        {
            if (!DateTimeOffset.TryParse(document.Expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
            {
                throw new CredentialRequestFailedException(
                    hopName,
                    $"The credential response's Expiration '{ServiceErrorText.Quote(document.Expiration)}' is not a timestamp. {fix}",
                    HttpStatusCode.OK,
                    "MalformedResponse",
                    isTransient: true);
            }

            if (parsed <= now)
            {
                throw new CredentialRequestFailedException(
                    hopName,
                    $"The credential endpoint returned credentials that expired at {parsed:O}. It is probably refreshing them; the next attempt should succeed. If this persists, check the host's clock.",
                    HttpStatusCode.OK,
                    "ExpiredCredentials",
                    isTransient: true);
            }

            expiresOn = parsed;
        }

        if (expiresOn is null && !string.IsNullOrEmpty(document.Token))
        {
            expiresOn = now + AssumedLifetimeWithoutExpiration;
        }

        return new AwsCredentials(document.AccessKeyId, document.SecretAccessKey, document.Token, expiresOn);
    }
}

/// <summary>Source-generated JSON metadata for the AWS wire models.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CredentialDocument))]
internal sealed partial class AwsJsonContext : JsonSerializerContext
{
}
