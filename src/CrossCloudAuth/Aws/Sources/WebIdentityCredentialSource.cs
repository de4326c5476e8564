using System.Globalization;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Credentials for an IAM role assumed with a Kubernetes projected service-account token:
/// <c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> (+ <c>AWS_ROLE_SESSION_NAME</c>) →
/// <c>AssumeRoleWithWebIdentity</c>. This is EKS IRSA, and what the GKE-on-AWS workload
/// identity webhook injects.
/// </summary>
/// <remarks>
/// <para>The token file is read on every call, because the kubelet rotates it (a token reused after rotation is
/// rejected as expired). Its content is never logged or quoted: errors describe its shape only.</para>
/// <para>The call is unsigned (the token is the credential), so it needs no other AWS credentials.</para>
/// <para>This type is thread-safe. It fetches anew on every call: wrap it in a
/// <see cref="Caching.RefreshAheadCache{TCredential}"/>.</para>
/// </remarks>
public sealed partial class WebIdentityCredentialSource : ICredentialProvider<AwsCredentials>
{
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string? _roleArn;
    private readonly string? _tokenFile;
    private readonly string? _sessionName;
    private readonly int? _durationSeconds;
    private readonly AwsStsClient? _sts;
    private readonly string _hopName;

    /// <summary>Initializes a new instance of the <see cref="WebIdentityCredentialSource"/> class.</summary>
    /// <param name="options">The options; unset values come from the environment. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="CredentialConfigurationException">A set value is invalid (role ARN, session name, duration, endpoint).</exception>
    public WebIdentityCredentialSource(
        WebIdentityCredentialSourceOptions? options = null,
        CredentialContext? context = null)
        : this(options, context?.Environment, context?.TimeProvider, context?.Logger<WebIdentityCredentialSource>(), profileRegion: null, context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal WebIdentityCredentialSource(
        WebIdentityCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : this(options, environment, timeProvider, logger, profileRegion: null)
    {
    }

    internal WebIdentityCredentialSource(
        WebIdentityCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider,
        ILogger? logger,
        string? profileRegion,
        HttpClient? httpClient = null)
    {
        options ??= new WebIdentityCredentialSourceOptions();
        _environment = environment ?? SystemEnvironment.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;

        string? roleArn = NullIfBlank(options.RoleArn) ?? NullIfBlank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.RoleArn));
        _tokenFile = NullIfBlank(options.WebIdentityTokenFile) ?? NullIfBlank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.WebIdentityTokenFile));
        _hopName = roleArn is null ? "aws-sts:AssumeRoleWithWebIdentity" : $"aws-sts:AssumeRoleWithWebIdentity({roleArn})";

        if (roleArn is not null && _tokenFile is not null)
        {
            _roleArn = RoleSessionParameters.ValidateRoleArn(roleArn, _hopName, "AWS_ROLE_ARN");
            if (!Path.IsPathFullyQualified(_tokenFile))
            {
                throw new CredentialConfigurationException(_hopName, $"The web identity token file '{_tokenFile}' must be an absolute path.");
            }

            _sessionName = RoleSessionParameters.ValidateSessionName(
                NullIfBlank(options.RoleSessionName) ?? NullIfBlank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.RoleSessionName)),
                _hopName,
                _timeProvider);
            _durationSeconds = RoleSessionParameters.ValidateDuration(options.Duration, _hopName);
            _sts = new AwsStsClient(options.Sts, _environment, _hopName, profileRegion, _timeProvider, _logger, httpClient);
        }
        else
        {
            _roleArn = roleArn;
        }
    }

    /// <inheritdoc />
    public string HopName => _hopName;

    /// <summary>Reads the token file and exchanges the token for the role's credentials.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role's temporary credentials with their expiry.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The role ARN or token file is not configured, or the file does
    /// not exist.</exception>
    /// <exception cref="CredentialConfigurationException">The token file is unreadable, empty or not a JWT, or STS
    /// rejected the request's parameters.</exception>
    /// <exception cref="CredentialRequestFailedException">STS rejected the token (InvalidIdentityToken, AccessDenied,
    /// ExpiredToken, RegionDisabled), throttled, failed or timed out.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_sts is null || _roleArn is null || _tokenFile is null)
        {
            throw new CredentialSourceUnavailableException(
                _hopName,
                $"Web identity is not configured: {(_roleArn is null ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE")} is not set. In EKS, annotate the pod's service account with eks.amazonaws.com/role-arn; elsewhere set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE.");
        }

        (string token, string readPath) = await WebIdentityToken.ReadAsync(_environment, _tokenFile, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(readPath, _tokenFile, StringComparison.Ordinal))
        {
            Log.ReadWithoutTrailingDot(_logger, _tokenFile, readPath);
        }

        List<KeyValuePair<string, string>> parameters = [];
        if (_durationSeconds is int seconds)
        {
            parameters.Add(new("DurationSeconds", seconds.ToString(CultureInfo.InvariantCulture)));
        }

        parameters.Add(new("RoleArn", _roleArn));
        parameters.Add(new("RoleSessionName", _sessionName!));
        parameters.Add(new("WebIdentityToken", token));

        StsCredentialsResult result = await _sts.CallAsync(
            StsOperation.AssumeRoleWithWebIdentity,
            parameters,
            signer: null,
            error => StsErrors.Map(error, StsOperation.AssumeRoleWithWebIdentity, _hopName, _sts.EndpointDescription, sentToken: token),
            cancellationToken).ConfigureAwait(false);
        Log.Assumed(_logger, _roleArn, result.Subject, result.Credentials.ExpiresOn);
        return result.Credentials;
    }

    /// <summary>Whether both variables of web identity are set in the environment.</summary>
    internal static bool IsConfigured(ISystemEnvironment environment) =>
        NullIfBlank(environment.GetEnvironmentVariable(AwsEnvironmentVariables.RoleArn)) is not null
        && NullIfBlank(environment.GetEnvironmentVariable(AwsEnvironmentVariables.WebIdentityTokenFile)) is not null;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static partial class Log
    {
        [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Assumed {RoleArn} with a web identity token of {Subject}; the credentials expire at {ExpiresOn}.")]
        public static partial void Assumed(ILogger logger, string roleArn, string? subject, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "The web identity token file '{ConfiguredPath}' does not exist; read '{ReadPath}' instead. Remove the trailing '.' from the configuration.")]
        public static partial void ReadWithoutTrailingDot(ILogger logger, string configuredPath, string readPath);
    }
}
