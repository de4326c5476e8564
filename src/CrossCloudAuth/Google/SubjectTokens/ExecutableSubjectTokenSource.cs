using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Google;

/// <summary>
/// Runs a program that prints a subject token, following Google's executable-sourced credential protocol
/// (<c>credential_source.executable</c>): the program gets <c>GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE</c>,
/// <c>GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE</c>, <c>GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0</c> and, when set,
/// <c>GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL</c> and <c>GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE</c>, and prints
/// <c>{"version":1,"success":true,"token_type":…,"id_token"|"saml_response":…,"expiration_time":…}</c>.
/// </summary>
/// <remarks>
/// <para>Running programs named in a configuration file is dangerous, so this source only works when the environment
/// variable <c>GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES</c> is <c>1</c>, as in Google's own libraries.</para>
/// <para>The program runs with its standard input closed and is killed, with its children, at the timeout; its
/// output is capped at 1 MiB and never appears in an error. This type is thread-safe.</para>
/// </remarks>
public sealed class ExecutableSubjectTokenSource : ISubjectTokenSource
{
    /// <summary>The environment variable that must be <c>1</c> for executables to run.</summary>
    public const string AllowExecutablesVariable = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";

    private const long MinUnixSeconds = -62_135_596_800; // DateTimeOffset.MinValue
    private const long MaxUnixSeconds = 253_402_300_799; // DateTimeOffset.MaxValue, to the second

    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan MinimumTimeout = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan MaximumTimeout = TimeSpan.FromMinutes(2);

    private readonly string _program;
    private readonly string[] _arguments;
    private readonly ExecutableSubjectTokenSourceOptions _options;
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly IProcessRunner _runner;

    /// <summary>Initializes a new instance of the <see cref="ExecutableSubjectTokenSource"/> class.</summary>
    /// <param name="options">The command and its settings. Copied: later changes have no effect.</param>
    /// <param name="context">The clock (timeout, expiry) and environment (<c>GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES</c>,
    /// the output file); <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">The command is empty, the timeout is out of range, the audience is
    /// missing, or <c>GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES</c> is not <c>1</c>.</exception>
    public ExecutableSubjectTokenSource(ExecutableSubjectTokenSourceOptions options, CredentialContext? context = null)
        : this(options, ProcessRunner.Instance, context)
    {
    }

    internal ExecutableSubjectTokenSource(ExecutableSubjectTokenSourceOptions options, IProcessRunner runner, CredentialContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = new ExecutableSubjectTokenSourceOptions
        {
            Command = options.Command,
            Timeout = options.Timeout,
            OutputFile = string.IsNullOrWhiteSpace(options.OutputFile) ? null : options.OutputFile,
            Audience = options.Audience,
            SubjectTokenType = options.SubjectTokenType,
            ImpersonatedServiceAccountEmail = options.ImpersonatedServiceAccountEmail,
        };
        _environment = options.Environment ?? context?.Environment ?? SystemEnvironment.Instance;
        _timeProvider = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        _runner = runner;

        string[] words = (options.Command ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        HopName = words.Length == 0 ? "executable" : $"executable:{words[0]}";
        if (words.Length == 0)
        {
            throw new CredentialConfigurationException(HopName, "credential_source.executable.command is empty. Set it to the program's absolute path and arguments.");
        }

        if (options.Timeout < MinimumTimeout || options.Timeout > MaximumTimeout)
        {
            throw new CredentialConfigurationException(HopName, $"credential_source.executable.timeout_millis must be between {MinimumTimeout.TotalMilliseconds:0} and {MaximumTimeout.TotalMilliseconds:0}; it is {options.Timeout.TotalMilliseconds:0}.");
        }

        if (string.IsNullOrEmpty(options.Audience))
        {
            throw new CredentialConfigurationException(HopName, "The audience is required: the program receives it as GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE.");
        }

        if (string.IsNullOrEmpty(options.SubjectTokenType))
        {
            throw new CredentialConfigurationException(HopName, "The subject token type is required: the program receives it as GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE.");
        }

        EnsureAllowed();
        _program = words[0];
        _arguments = words[1..];
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <inheritdoc />
    public string SubjectTokenType => _options.SubjectTokenType;

    /// <inheritdoc />
    public async ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default)
    {
        EnsureAllowed();
        if (_options.OutputFile is string outputFile)
        {
            string? cached = await TryReadOutputFileAsync(outputFile, cancellationToken).ConfigureAwait(false);
            if (cached is not null)
            {
                return cached;
            }
        }

        ProcessStartInfo startInfo = new(_program);
        foreach (string argument in _arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"] = _options.Audience;
        startInfo.Environment["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] = _options.SubjectTokenType;
        startInfo.Environment["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"] = "0";
        if (!string.IsNullOrEmpty(_options.ImpersonatedServiceAccountEmail))
        {
            startInfo.Environment["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] = _options.ImpersonatedServiceAccountEmail;
        }

        if (_options.OutputFile is not null)
        {
            startInfo.Environment["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] = _options.OutputFile;
        }

        ProcessResult result;
        try
        {
            result = await _runner.RunAsync(startInfo, _options.Timeout, GoogleDefaults.MaxSubjectTokenBytes, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            throw new CredentialRequestFailedException(HopName, $"The program did not finish within {_options.Timeout.TotalSeconds:0.#} s and was killed. Raise credential_source.executable.timeout_millis (at most 120000) or check why it hangs.", isTransient: true, innerException: error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialRequestFailedException(HopName, $"The program printed more than {GoogleDefaults.MaxSubjectTokenBytes} bytes; it does not follow the executable-sourced credential protocol.", innerException: error);
        }
        catch (Win32Exception error)
        {
            throw new CredentialConfigurationException(HopName, $"The program could not be started ({error.Message}). Check that credential_source.executable.command starts with the absolute path of an executable file.", error);
        }

        if (result.ExitCode != 0)
        {
            throw new CredentialRequestFailedException(HopName, $"The program exited with code {result.ExitCode}. Run it by hand with the same GOOGLE_EXTERNAL_ACCOUNT_* variables to see why.", errorCode: result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Parse(result.StandardOutput, "program's output", requireExpiration: _options.OutputFile is not null)
            ?? throw new CredentialRequestFailedException(HopName, "The program returned a token that has already expired (expiration_time is in the past).");
    }

    /// <summary>The failure code as text; a string with invalid UTF-8 (which the reader does not check) reads as such.</summary>
    private static string CodeText(JsonElement code)
    {
        try
        {
            return code.ToString();
        }
        catch (InvalidOperationException)
        {
            return "(not valid UTF-8)";
        }
    }

    private void EnsureAllowed()
    {
        if (_environment.GetEnvironmentVariable(AllowExecutablesVariable) != "1")
        {
            throw new CredentialConfigurationException(HopName, $"Executable-sourced credentials are disabled. They run a program named in the credential configuration, so they must be enabled explicitly by setting the environment variable {AllowExecutablesVariable}=1.");
        }
    }

    private async Task<string?> TryReadOutputFileAsync(string outputFile, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = await _environment.ReadFileAsync(outputFile, GoogleDefaults.MaxSubjectTokenBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CredentialSourceUnavailableException(HopName, $"The output file {outputFile} could not be read ({error.GetType().Name}). Check credential_source.executable.output_file.", error);
        }

        if (content.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        // A cached failure or an expired token means: run the program again.
        return Parse(content, $"output file {outputFile}", requireExpiration: true, failureMeansRetry: true);
    }

    /// <summary>Parses a response; returns null when it is expired (or, for the output file, unsuccessful).</summary>
    private string? Parse(byte[] content, string what, bool requireExpiration, bool failureMeansRetry = false)
    {
        ExecutableResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(content, ExecutableJsonContext.Default.ExecutableResponse);
        }
        catch (JsonException error)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} is not a valid JSON response ({(error.Path is null ? "malformed JSON" : $"bad field {error.Path}")}); the program must print the executable-sourced credential JSON.", innerException: null);
        }

        if (response is null)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} is not a JSON object.");
        }

        if (response.Version is not int version)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} has no \"version\" field.");
        }

        if (version > 1)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} uses protocol version {version}; only version 1 is supported.");
        }

        if (response.Success is not bool success)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} has no \"success\" field.");
        }

        if (!success)
        {
            if (failureMeansRetry)
            {
                return null;
            }

            string code = response.Code is JsonElement element ? CodeText(element) : string.Empty;
            if (code.Length == 0 || string.IsNullOrEmpty(response.Message))
            {
                throw new CredentialRequestFailedException(HopName, $"The {what} reports a failure without the required \"code\" and \"message\" fields.");
            }

            throw new CredentialRequestFailedException(HopName, $"The program reported failure {ServiceErrorText.Quote(code)}: \"{ServiceErrorText.Quote(response.Message)}\".", errorCode: code);
        }

        if (response.ExpirationTime is long expiration)
        {
            // Outside DateTimeOffset's calendar, a time is simply far in the past or the future: clamp rather than throw.
            if (DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expiration, MinUnixSeconds, MaxUnixSeconds)) <= _timeProvider.GetUtcNow())
            {
                return null;
            }
        }
        else if (requireExpiration)
        {
            throw new CredentialRequestFailedException(HopName, $"The {what} has no \"expiration_time\"; it is required when an output_file is configured.");
        }

        string? token = response.TokenType switch
        {
            SubjectTokenTypes.Jwt or SubjectTokenTypes.IdToken => response.IdToken,
            SubjectTokenTypes.Saml2 => response.SamlResponse,
            null => throw new CredentialRequestFailedException(HopName, $"The {what} has no \"token_type\" field."),
            _ => throw new CredentialRequestFailedException(HopName, $"The {what} has the unsupported token_type \"{ServiceErrorText.Quote(response.TokenType)}\"; expected {SubjectTokenTypes.Jwt}, {SubjectTokenTypes.IdToken} or {SubjectTokenTypes.Saml2}."),
        };

        if (string.IsNullOrWhiteSpace(token))
        {
            string field = response.TokenType == SubjectTokenTypes.Saml2 ? "saml_response" : "id_token";
            throw new CredentialRequestFailedException(HopName, $"The {what} has no \"{field}\" field for token_type {response.TokenType}.");
        }

        return token;
    }
}
