using System.Text;
using System.Text.Json;

namespace CrossCloudAuth.Google;

/// <summary>
/// How a subject token is found in what a file, URL or executable returns: the whole content as text, or one
/// string field of a JSON object (<c>credential_source.format</c> in a credential configuration file).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class SubjectTokenFormat
{
    private SubjectTokenFormat(string? subjectTokenFieldName)
    {
        SubjectTokenFieldName = subjectTokenFieldName;
    }

    /// <summary>Gets the text format: the whole content, without surrounding white space, is the token. The default.</summary>
    public static SubjectTokenFormat Text { get; } = new(null);

    /// <summary>Gets the name of the JSON field holding the token, or <see langword="null"/> for the text format.</summary>
    public string? SubjectTokenFieldName { get; }

    /// <summary>Gets a value indicating whether the content is a JSON object.</summary>
    public bool IsJson => SubjectTokenFieldName is not null;

    /// <summary>Creates the JSON format: the content is a JSON object and the token is its string field <paramref name="subjectTokenFieldName"/>.</summary>
    /// <param name="subjectTokenFieldName">The field's name, such as <c>access_token</c> or <c>id_token</c>.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException"><paramref name="subjectTokenFieldName"/> is null or empty.</exception>
    public static SubjectTokenFormat Json(string subjectTokenFieldName)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectTokenFieldName);
        return new SubjectTokenFormat(subjectTokenFieldName);
    }

    /// <summary>Returns <c>text</c> or <c>json(field)</c>.</summary>
    public override string ToString() => IsJson ? $"json({SubjectTokenFieldName})" : "text";

    /// <summary>Extracts the token from the raw content. Never puts the content in an error.</summary>
    internal string Extract(ReadOnlySpan<byte> content, string hopName, string what)
    {
        if (!IsJson)
        {
            string text = Encoding.UTF8.GetString(content).Trim();
            if (text.Length == 0)
            {
                throw new CredentialSourceUnavailableException(hopName, $"The {what} is empty: there is no subject token to exchange yet. Check that whatever writes it has run (a FIFO, device or socket is never read and counts as empty: the token must be in a regular file).");
            }

            return text;
        }

        try
        {
            Utf8JsonReader reader = new(content, new JsonReaderOptions { MaxDepth = 16 });
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CredentialConfigurationException(hopName, $"The {what} is not a JSON object, but the format is json({SubjectTokenFieldName}). Set credential_source.format.type to \"text\" if it holds the bare token.");
            }

            if (!document.RootElement.TryGetProperty(SubjectTokenFieldName!, out JsonElement field) || field.ValueKind != JsonValueKind.String)
            {
                throw new CredentialConfigurationException(hopName, $"The JSON {what} has no string field \"{SubjectTokenFieldName}\". Check credential_source.format.subject_token_field_name.");
            }

            string token;
            try
            {
                token = field.GetString()!.Trim();
            }
            catch (InvalidOperationException)
            {
                // The reader checks the JSON's structure, not the UTF-8 inside strings; decoding the field does.
                throw new CredentialConfigurationException(hopName, $"The field \"{SubjectTokenFieldName}\" of the {what} is not valid UTF-8 text, so it cannot be a token. Check what writes the {what}.");
            }

            if (token.Length == 0)
            {
                throw new CredentialSourceUnavailableException(hopName, $"The field \"{SubjectTokenFieldName}\" of the {what} is empty: there is no subject token to exchange.");
            }

            return token;
        }
        catch (JsonException error)
        {
            throw new CredentialConfigurationException(hopName, $"The {what} is not valid JSON (at byte {error.BytePositionInLine}, line {error.LineNumber}), but the format is json({SubjectTokenFieldName}). Set credential_source.format.type to \"text\" if it holds the bare token.", error.InnerException is null ? null : new JsonException(error.GetType().Name));
        }
    }
}
