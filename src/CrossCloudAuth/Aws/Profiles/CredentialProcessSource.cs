using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS credentials printed by a profile's <c>credential_process</c> command, in the AWS CLI's external-process
/// protocol: a JSON object with <c>Version</c> 1, <c>AccessKeyId</c>, <c>SecretAccessKey</c>, and optionally
/// <c>SessionToken</c> and <c>Expiration</c> (RFC 3339; without it the credentials never expire).
/// </summary>
/// <remarks>
/// <para>The command runs through <c>/bin/sh -c</c> (<c>cmd.exe /c</c> on Windows), as the AWS SDKs for Go, JavaScript
/// and Rust run it, with the process's environment, standard input closed and standard error discarded (it may hold
/// what the program was asked to keep). It must finish within <see cref="Timeout"/> and print at most
/// <see cref="MaxOutputBytes"/>; otherwise it is killed with its children.</para>
/// <para>The command comes from the shared config files, which are the operator's configuration (as environment
/// variables are), so, as in the AWS CLI and SDKs, no opt-in is asked for. Nothing the program prints is ever quoted in
/// an error.</para>
/// <para>This type is thread-safe; every call runs the command once (put a cache in front of it).</para>
/// </remarks>
internal sealed class CredentialProcessSource : ICredentialProvider<AwsCredentials>
{
    /// <summary>How long the command may run (the AWS SDK for Go's default).</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>How much the command may print (the AWS SDK for Java's limit is 64,000 bytes).</summary>
    internal const int MaxOutputBytes = 64 * 1024;

    private readonly string _command;
    private readonly IProcessRunner _runner;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="CredentialProcessSource"/> class.</summary>
    /// <param name="command">The profile's <c>credential_process</c> value.</param>
    /// <param name="hopName">The profile's hop name.</param>
    /// <param name="timeProvider">The clock of the deadline and of the expiry check.</param>
    /// <param name="runner">Runs the command; <see cref="ProcessRunner.Instance"/> when <see langword="null"/>.</param>
    public CredentialProcessSource(string command, string hopName, TimeProvider timeProvider, IProcessRunner? runner = null)
    {
        _command = command;
        HopName = hopName;
        _timeProvider = timeProvider;
        _runner = runner ?? ProcessRunner.Instance;
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Runs the command and reads the credentials it prints.</summary>
    /// <param name="cancellationToken">Cancels the call and kills the command.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="CredentialConfigurationException">The shell could not be started.</exception>
    /// <exception cref="CredentialRequestFailedException">The command failed, ran too long, printed too much, or
    /// printed something else than the protocol's JSON or expired credentials.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        ProcessStartInfo startInfo = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/s", "/c", _command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", _command } };
        ProcessResult result;
        try
        {
            result = await _runner.RunAsync(startInfo, Timeout, MaxOutputBytes, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            throw new CredentialRequestFailedException(HopName, $"credential_process did not finish within {Timeout.TotalSeconds:0} s and was killed. Run the command by hand to see why it hangs.", isTransient: true, innerException: error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialRequestFailedException(HopName, $"credential_process printed more than {MaxOutputBytes} bytes; it does not follow the credential_process protocol.", innerException: error);
        }
        catch (Win32Exception error)
        {
            throw new CredentialConfigurationException(HopName, $"credential_process could not be run: the shell ({startInfo.FileName}) did not start ({error.NativeErrorCode}).", error);
        }

        if (result.ExitCode != 0)
        {
            throw new CredentialRequestFailedException(
                HopName,
                $"credential_process exited with code {result.ExitCode}. Run the command by hand to see its error (its standard error is not shown here).",
                errorCode: result.ExitCode.ToString(CultureInfo.InvariantCulture));
        }

        return Parse(result.StandardOutput, HopName, _timeProvider.GetUtcNow());
    }

    /// <summary>Reads the protocol's JSON; never quotes it.</summary>
    internal static AwsCredentials Parse(ReadOnlyMemory<byte> output, string hopName, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(output, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            // JsonException's message quotes the offending character, which may be part of a secret: not kept.
            throw new CredentialRequestFailedException(hopName, "credential_process printed something that is not JSON; it must print the credential_process JSON object.");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(hopName, "is not a JSON object");
            }

            if (!root.TryGetProperty("Version", out JsonElement version) || version.ValueKind != JsonValueKind.Number)
            {
                throw Malformed(hopName, "has no numeric \"Version\"");
            }

            if (!version.TryGetInt32(out int number) || number != 1)
            {
                throw Malformed(hopName, "has a \"Version\" other than 1, the only version of the protocol");
            }

            string keyId = RequiredString(root, "AccessKeyId", hopName);
            string secret = RequiredString(root, "SecretAccessKey", hopName);
            string? sessionToken = OptionalString(root, "SessionToken", hopName);
            string? expiration = OptionalString(root, "Expiration", hopName);
            DateTimeOffset? expiresOn = null;
            if (expiration is not null)
            {
                if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
                {
                    throw Malformed(hopName, "has an \"Expiration\" that is not an RFC 3339 time");
                }

                if (parsed <= now)
                {
                    throw new CredentialRequestFailedException(hopName, $"credential_process returned credentials that expired at {parsed.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}. Check the program (or its own cache) and the clock.");
                }

                expiresOn = parsed;
            }

            return new AwsCredentials(keyId, secret, sessionToken, expiresOn);
        }
    }

    private static string RequiredString(JsonElement root, string name, string hopName) =>
        OptionalString(root, name, hopName) ?? throw Malformed(hopName, $"has no \"{name}\"");

    private static string? OptionalString(JsonElement root, string name, string hopName)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Malformed(hopName, $"has a \"{name}\" that is not a string");
        }

        string text = value.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static CredentialRequestFailedException Malformed(string hopName, string problem) =>
        new(hopName, $"credential_process printed a JSON object that {problem}; see the AWS CLI's \"Sourcing credentials with an external process\".");
}
