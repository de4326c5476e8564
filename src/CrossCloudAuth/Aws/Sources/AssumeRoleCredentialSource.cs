using System.Globalization;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Aws;

/// <summary>
/// One hop of a role chain: <c>AssumeRole</c> signed with the credentials of any other
/// source: web identity, instance metadata, a container endpoint, environment keys, or another
/// <see cref="AssumeRoleCredentialSource"/>, so chains have any length.
/// </summary>
/// <remarks>
/// <para>Each call first gets the source's credentials (give it a cached source), then assumes the role. Errors of the
/// source keep the source's hop name; errors of this call name this hop and, for <c>AccessDenied</c>, the trust-policy
/// fix.</para>
/// <para>A session assumed with another role's session lasts at most one hour. When the source credentials carry a
/// session token and more than 3600 seconds were asked, the request is lowered to 3600 seconds and a warning explains
/// why, instead of STS failing the call.</para>
/// <para>This type is thread-safe. It fetches anew on every call: wrap it in a
/// <see cref="Caching.RefreshAheadCache{TCredential}"/>.</para>
/// </remarks>
public sealed partial class AssumeRoleCredentialSource : ICredentialProvider<AwsCredentials>
{
    private readonly ICredentialProvider<AwsCredentials> _source;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _roleArn;
    private readonly string _sessionName;
    private readonly string? _externalId;
    private readonly int? _durationSeconds;
    private readonly KeyValuePair<string, string>[] _tags;
    private readonly string[] _transitiveTagKeys;
    private readonly string? _sourceIdentity;
    private readonly string? _policy;
    private readonly AwsStsClient _sts;
    private int _clampLogged;

    /// <summary>Initializes a new instance of the <see cref="AssumeRoleCredentialSource"/> class.</summary>
    /// <param name="source">The credentials that call <c>AssumeRole</c> (the previous hop of the chain).</param>
    /// <param name="options">The role and session settings. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialConfigurationException">A setting is invalid.</exception>
    public AssumeRoleCredentialSource(
        ICredentialProvider<AwsCredentials> source,
        AssumeRoleCredentialSourceOptions options,
        CredentialContext? context = null)
        : this(source, options, context?.Environment, context?.TimeProvider, context?.Logger<AssumeRoleCredentialSource>(), profileRegion: null, context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal AssumeRoleCredentialSource(
        ICredentialProvider<AwsCredentials> source,
        AssumeRoleCredentialSourceOptions options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : this(source, options, environment, timeProvider, logger, profileRegion: null)
    {
    }

    internal AssumeRoleCredentialSource(
        ICredentialProvider<AwsCredentials> source,
        AssumeRoleCredentialSourceOptions options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider,
        ILogger? logger,
        string? profileRegion,
        HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        _source = source;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        environment ??= SystemEnvironment.Instance;

        HopName = string.IsNullOrWhiteSpace(options.RoleArn) ? "aws-sts:AssumeRole" : $"aws-sts:AssumeRole({options.RoleArn.Trim()})";
        _roleArn = RoleSessionParameters.ValidateRoleArn(options.RoleArn, HopName, nameof(options.RoleArn));
        _sessionName = RoleSessionParameters.ValidateSessionName(options.RoleSessionName, HopName, _timeProvider);
        _durationSeconds = RoleSessionParameters.ValidateDuration(options.Duration, HopName);
        _externalId = string.IsNullOrWhiteSpace(options.ExternalId) ? null : options.ExternalId.Trim();
        _sourceIdentity = string.IsNullOrWhiteSpace(options.SourceIdentity) ? null : options.SourceIdentity.Trim();
        _policy = string.IsNullOrWhiteSpace(options.Policy) ? null : options.Policy;
        _tags = [.. options.Tags];
        _transitiveTagKeys = [.. options.TransitiveTagKeys];
        if (_transitiveTagKeys.Except(options.Tags.Keys).FirstOrDefault() is string stray)
        {
            throw new CredentialConfigurationException(HopName, $"The transitive tag key '{stray}' is not one of the session tags.");
        }

        _sts = new AwsStsClient(options.Sts, environment, HopName, profileRegion, _timeProvider, _logger, httpClient);
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Gets the source's credentials and assumes the role with them.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The role's temporary credentials with their expiry.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The source has no credentials here.</exception>
    /// <exception cref="CredentialConfigurationException">The source is misconfigured, or STS rejected the request's
    /// parameters (session name, tags, policy).</exception>
    /// <exception cref="CredentialRequestFailedException">The source failed, or STS denied (AccessDenied), throttled,
    /// failed or timed out.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        AwsCredentials caller = await _source.GetAsync(cancellationToken).ConfigureAwait(false);

        int? duration = _durationSeconds;
        if (caller.SessionToken is not null && duration > RoleSessionParameters.ChainedRoleMaximumSeconds)
        {
            if (Interlocked.Exchange(ref _clampLogged, 1) == 0)
            {
                Log.DurationClamped(_logger, _roleArn, duration.Value, _source.HopName);
            }

            duration = RoleSessionParameters.ChainedRoleMaximumSeconds;
        }

        StsCredentialsResult result = await _sts.CallAsync(
            StsOperation.AssumeRole,
            Parameters(duration),
            caller,
            error => StsErrors.Map(error, StsOperation.AssumeRole, HopName, _sts.EndpointDescription, _source.HopName, sentToken: caller.SessionToken),
            cancellationToken).ConfigureAwait(false);
        Log.Assumed(_logger, _roleArn, result.AssumedRoleArn, result.Credentials.ExpiresOn);
        return result.Credentials;
    }

    /// <summary>The request's parameters, in the order the AWS SDKs send them.</summary>
    private List<KeyValuePair<string, string>> Parameters(int? duration)
    {
        List<KeyValuePair<string, string>> parameters = [];
        if (duration is int seconds)
        {
            parameters.Add(new("DurationSeconds", seconds.ToString(CultureInfo.InvariantCulture)));
        }

        if (_externalId is not null)
        {
            parameters.Add(new("ExternalId", _externalId));
        }

        if (_policy is not null)
        {
            parameters.Add(new("Policy", _policy));
        }

        parameters.Add(new("RoleArn", _roleArn));
        parameters.Add(new("RoleSessionName", _sessionName));
        if (_sourceIdentity is not null)
        {
            parameters.Add(new("SourceIdentity", _sourceIdentity));
        }

        for (int i = 0; i < _tags.Length; i++)
        {
            string member = $"Tags.member.{i + 1}.";
            parameters.Add(new(member + "Key", _tags[i].Key));
            parameters.Add(new(member + "Value", _tags[i].Value));
        }

        for (int i = 0; i < _transitiveTagKeys.Length; i++)
        {
            parameters.Add(new($"TransitiveTagKeys.member.{i + 1}", _transitiveTagKeys[i]));
        }

        return parameters;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "Assumed {RoleArn} as {AssumedRoleArn}; the credentials expire at {ExpiresOn}.")]
        public static partial void Assumed(ILogger logger, string roleArn, string? assumedRoleArn, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Asking for a {RequestedSeconds}-second session of {RoleArn}, but the caller ({SourceHop}) is itself a role session: AWS limits a chained role session to one hour, so 3600 seconds are requested instead.")]
        public static partial void DurationClamped(ILogger logger, string roleArn, int requestedSeconds, string sourceHop);
    }
}
