using System.Text;
using System.Text.Json;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Google;

public sealed partial class ExternalAccountConfiguration
{
    /// <summary>The environment variable that names the credential configuration file.</summary>
    public const string CredentialsFileVariable = "GOOGLE_APPLICATION_CREDENTIALS";

    /// <summary>Parses a configuration from its JSON text.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="source">Where the JSON came from, for messages; <c>json</c> when <see langword="null"/>.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">The JSON is too large, malformed, of another credential type, or a field is missing or of the wrong type.</exception>
    public static ExternalAccountConfiguration Parse(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        source ??= "json";
        if (json.Length > GoogleDefaults.MaxConfigurationBytes)
        {
            throw new CredentialConfigurationException(HopName(source), $"The credential configuration is larger than {GoogleDefaults.MaxConfigurationBytes} characters: it is not an external_account file.");
        }

        return Parse(Encoding.UTF8.GetBytes(json), source);
    }

    /// <summary>Reads a configuration from a stream (at most 256 KiB).</summary>
    /// <param name="stream">The stream; read to its end, not disposed.</param>
    /// <param name="source">Where the stream came from, for messages; <c>stream</c> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">The content is too large or invalid.</exception>
    public static async Task<ExternalAccountConfiguration> LoadAsync(Stream stream, string? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        source ??= "stream";
        byte[] content;
        try
        {
            content = await HopHttp.ReadBoundedAsync(stream, GoogleDefaults.MaxConfigurationBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialConfigurationException(HopName(source), $"The credential configuration is larger than {GoogleDefaults.MaxConfigurationBytes} bytes: it is not an external_account file.", error);
        }

        return Parse(content, source);
    }

    /// <summary>Reads a configuration file.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="environment">Reads the file; <see cref="SystemEnvironment.Instance"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="CredentialSourceUnavailableException">The file does not exist or cannot be read.</exception>
    /// <exception cref="CredentialConfigurationException">The file is too large or invalid.</exception>
    public static async Task<ExternalAccountConfiguration> LoadFileAsync(string path, ISystemEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        environment ??= SystemEnvironment.Instance;
        byte[] content;
        try
        {
            content = await environment.ReadFileAsync(path, GoogleDefaults.MaxConfigurationBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CredentialSourceUnavailableException(HopName(path), "The credential configuration file does not exist. Check the path (and the volume mount that should provide it).", error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialConfigurationException(HopName(path), $"The credential configuration file is larger than {GoogleDefaults.MaxConfigurationBytes} bytes: it is not an external_account file.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CredentialSourceUnavailableException(HopName(path), $"The credential configuration file could not be read ({error.GetType().Name}). Check its permissions.", error);
        }

        return Parse(content, path);
    }

    /// <summary>Reads the configuration file named by <c>GOOGLE_APPLICATION_CREDENTIALS</c>.</summary>
    /// <param name="environment">Reads the variable and the file; <see cref="SystemEnvironment.Instance"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The variable is unset, or the file does not exist or cannot be read.</exception>
    /// <exception cref="CredentialConfigurationException">The file is invalid.</exception>
    public static Task<ExternalAccountConfiguration> LoadFromEnvironmentAsync(ISystemEnvironment? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= SystemEnvironment.Instance;
        string? path = environment.GetEnvironmentVariable(CredentialsFileVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CredentialSourceUnavailableException(HopName(CredentialsFileVariable), $"{CredentialsFileVariable} is not set. Set it to the path of the credential configuration file written by 'gcloud iam workload-identity-pools create-cred-config'.");
        }

        return LoadFileAsync(path, environment, cancellationToken);
    }

    /// <summary>How deeply objects and arrays may nest; gcloud writes at most three levels.</summary>
    internal const int MaxJsonDepth = 16;

    internal static string HopName(string source) => $"google-config:{source}";

    private static ExternalAccountConfiguration Parse(byte[] content, string source)
    {
        string hop = HopName(source);

        // Editors on Windows save UTF-8 with a byte order mark; System.Text.Json rejects it as an invalid value.
        ReadOnlySpan<byte> utf8Json = content;
        if (utf8Json.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8Json = utf8Json[Encoding.UTF8.Preamble.Length..];
        }

        if (NestsTooDeeply(utf8Json))
        {
            throw new CredentialConfigurationException(hop, $"The credential configuration nests objects or arrays more than {MaxJsonDepth} levels deep: it is not an external_account file (gcloud writes at most three levels).");
        }

        ExternalAccountJson? file;
        try
        {
            file = JsonSerializer.Deserialize(utf8Json, ExternalAccountJsonContext.Default.ExternalAccountJson);
        }
        // The JsonException is not kept as the inner exception: System.Text.Json quotes the rest of the input after an invalid
        // literal, which may hold client_secret, and an inner exception's message shows in ToString() and in logs.
        catch (JsonException error) when (error.Path is { Length: > 2 })
        {
            throw new CredentialConfigurationException(hop, $"The field {FieldName(error.Path)} has the wrong type ({DescribeJsonError(error)}). Regenerate the file with 'gcloud iam workload-identity-pools create-cred-config' or fix that field.");
        }
        catch (JsonException error)
        {
            throw new CredentialConfigurationException(hop, $"The credential configuration is not a JSON object ({DescribeJsonError(error)}).");
        }

        if (file is null)
        {
            throw new CredentialConfigurationException(hop, "The credential configuration is the JSON literal null, not an object.");
        }

        return Validate(file, source, hop);
    }

    /// <summary>Whether the JSON nests deeper than <see cref="MaxJsonDepth"/>, found before deserializing so that the error says so
    /// instead of blaming the field where the depth ran out. Malformed JSON is left to the deserializer to report.</summary>
    private static bool NestsTooDeeply(ReadOnlySpan<byte> utf8Json)
    {
        Utf8JsonReader reader = new(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxJsonDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= MaxJsonDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // Reported with its position by the deserializer.
        }

        return false;
    }

    private static string FieldName(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string DescribeJsonError(JsonException error) =>
        error.LineNumber is long line ? $"line {line + 1}, byte {error.BytePositionInLine + 1}" : "malformed JSON";
}
