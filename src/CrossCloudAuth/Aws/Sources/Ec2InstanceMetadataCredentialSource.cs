using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Aws;

/// <summary>
/// The EC2 instance role's credentials from the instance metadata service (IMDS): an IMDSv2 session token, the role
/// name, then the role's temporary credentials. Also resolves the instance's region.
/// </summary>
/// <remarks>
/// <para>Honors <c>AWS_EC2_METADATA_DISABLED=true</c> (the source is then unavailable),
/// <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> and <c>AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE</c>. Each request has a short
/// timeout and a bounded retry; a host that is not an EC2 instance gets a <see cref="CredentialSourceUnavailableException"/>
/// within a few seconds.</para>
/// <para>In a container, the IMDSv2 token request needs a metadata hop limit of at least 2 (the instance's
/// <c>HttpPutResponseHopLimit</c>); with a hop limit of 1 the request times out.</para>
/// <para>This type is thread-safe. It fetches anew on every call: wrap it in a
/// <see cref="Caching.RefreshAheadCache{TCredential}"/>.</para>
/// </remarks>
public sealed partial class Ec2InstanceMetadataCredentialSource : ICredentialProvider<AwsCredentials>
{
    private const string CredentialsHop = "aws-imds:credentials";
    private const string RegionHop = "aws-imds:region";
    private const string SessionTokenHop = "aws-imds:session-token";
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const string TokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const int MaxDocumentBytes = 64 * 1024;
    private const int MaxTokenBytes = 4 * 1024;

    private static readonly Uri s_defaultEndpoint = new("http://169.254.169.254");
    private static readonly Uri s_defaultIpv6Endpoint = new("http://[fd00:ec2::254]");

    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient _httpClient;
    private readonly Uri _endpoint;
    private readonly Uri _credentialsUrl;
    private readonly Uri _sessionTokenUrl;
    private readonly Uri? _regionUrl;
    private readonly string? _roleName;
    private readonly bool _useImdsV2;
    private readonly bool _allowImdsV1;
    private readonly TimeSpan _sessionTokenTtl;
    private readonly TimeSpan _requestTimeout;
    private readonly int _maxAttempts;
    private readonly HopRetry<AwsHttpResponse> _retry;
    private readonly StaticStability _staticStability;

    private SessionToken? _sessionToken;
    private string? _region;

    /// <summary>Initializes a new instance of the <see cref="Ec2InstanceMetadataCredentialSource"/> class.</summary>
    /// <param name="options">The options; the defaults when <see langword="null"/>. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="CredentialConfigurationException">An option is out of range or an endpoint is not allowed.</exception>
    public Ec2InstanceMetadataCredentialSource(
        Ec2InstanceMetadataCredentialSourceOptions? options = null,
        CredentialContext? context = null)
        : this(options, context?.Environment, context?.TimeProvider, context?.Logger<Ec2InstanceMetadataCredentialSource>(), random: null, context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal Ec2InstanceMetadataCredentialSource(
        Ec2InstanceMetadataCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : this(options, environment, timeProvider, logger, random: null)
    {
    }

    /// <summary>Initializes a new instance with the random source of the static-stability jitter (tests seed it).</summary>
    internal Ec2InstanceMetadataCredentialSource(
        Ec2InstanceMetadataCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider,
        ILogger? logger,
        Func<double>? random,
        HttpClient? httpClient = null)
    {
        options ??= new Ec2InstanceMetadataCredentialSourceOptions();
        _environment = environment ?? SystemEnvironment.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _httpClient = options.HttpClient ?? httpClient ?? AwsHttp.DefaultClient;
        _useImdsV2 = options.UseImdsV2;
        _allowImdsV1 = options.AllowImdsV1;
        _sessionTokenTtl = options.SessionTokenTtl;
        _requestTimeout = options.RequestTimeout;
        HopRetryOptions retry = (options.Retry ?? Ec2InstanceMetadataCredentialSourceOptions.DefaultRetry()).Validated(CredentialsHop);
        _maxAttempts = retry.MaxAttempts;
        _retry = AwsHttp.CreateRetry(retry, _timeProvider, _logger);
        _roleName = string.IsNullOrWhiteSpace(options.RoleName) ? null : options.RoleName.Trim();
        _staticStability = new StaticStability(CredentialsHop, Log.FirstStaticStabilityEventId, _timeProvider, _logger, random);

        if (!_useImdsV2 && !_allowImdsV1)
        {
            throw new CredentialConfigurationException(CredentialsHop, "UseImdsV2 is false and AllowImdsV1 is false: no way to reach instance metadata. Leave UseImdsV2 on (recommended) or allow IMDSv1.");
        }

        if (_sessionTokenTtl < TimeSpan.FromSeconds(1) || _sessionTokenTtl > TimeSpan.FromHours(6))
        {
            throw new CredentialConfigurationException(SessionTokenHop, $"SessionTokenTtl is {_sessionTokenTtl}; AWS accepts 1 second to 6 hours.");
        }

        if (_requestTimeout <= TimeSpan.Zero)
        {
            throw new CredentialConfigurationException(CredentialsHop, "RequestTimeout must be positive.");
        }

        Uri? endpoint = options.Endpoint ?? EndpointFromEnvironment();
        _endpoint = Validate(endpoint ?? Authority(options.CredentialsUrl) ?? s_defaultEndpoint, "Endpoint", options.AllowAnyEndpoint);
        _credentialsUrl = Validate(options.CredentialsUrl ?? new Uri(_endpoint, "/latest/meta-data/iam/security-credentials/"), "CredentialsUrl", options.AllowAnyEndpoint);
        _sessionTokenUrl = Validate(options.SessionTokenUrl ?? new Uri(Authority(_credentialsUrl)!, "/latest/api/token"), "SessionTokenUrl", options.AllowAnyEndpoint);
        _regionUrl = options.RegionUrl is null ? null : Validate(options.RegionUrl, "RegionUrl", options.AllowAnyEndpoint);
    }

    /// <inheritdoc />
    public string HopName => CredentialsHop;

    /// <summary>Fetches the instance role's current credentials.</summary>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The role's temporary credentials with their expiry; while instance metadata is down (5xx, 429, no answer or no
    /// connection after the retries), the last credentials again, with an expiry extended by 5–10 minutes once they
    /// are within 5 minutes of expiring, for at most one hour past their reported expiry (static stability, logged as a
    /// warning per extension; see docs/reliability.md).</returns>
    /// <exception cref="CredentialSourceUnavailableException">Instance metadata is disabled or unreachable (not an EC2
    /// instance, or a container behind a hop limit of 1), or no role is attached.</exception>
    /// <exception cref="CredentialConfigurationException">IMDSv2 is unsupported here and IMDSv1 is not allowed.</exception>
    /// <exception cref="CredentialRequestFailedException">The service failed, rejected the session token twice, or
    /// answered with a malformed or failed credential document.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisabled(CredentialsHop);
        return await _staticStability.GetAsync(FetchAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AwsCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        string roleName = _roleName ?? await GetRoleNameAsync(cancellationToken).ConfigureAwait(false);
        Uri url = new(_credentialsUrl.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(roleName));
        string? json = await GetMetadataAsync(url, CredentialsHop, cancellationToken).ConfigureAwait(false)
            ?? throw new CredentialSourceUnavailableException(
                CredentialsHop,
                $"Instance metadata has no credentials for the role '{roleName}' (404). Check that the instance profile holds this role, or leave RoleName unset to use the attached role.");

        AwsCredentials credentials = CredentialDocument.Parse(
            json,
            CredentialsHop,
            _timeProvider.GetUtcNow(),
            "Check the instance profile attached to this instance.");
        Log.CredentialsFetched(_logger, roleName, credentials.ExpiresOn);
        return credentials;
    }

    /// <summary>Gets the instance's region, from the region document or from the availability zone minus its letter.
    /// The answer is remembered after the first success.</summary>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The region name, such as <c>us-east-2</c>.</returns>
    /// <exception cref="CredentialSourceUnavailableException">Instance metadata is disabled or unreachable.</exception>
    /// <exception cref="CredentialRequestFailedException">The service failed or answered something that is not a region.</exception>
    public async ValueTask<string> GetRegionAsync(CancellationToken cancellationToken = default)
    {
        string? cached = Volatile.Read(ref _region);
        if (cached is not null)
        {
            return cached;
        }

        ThrowIfDisabled(RegionHop);
        string region;
        if (_regionUrl is not null)
        {
            string text = await GetMetadataAsync(_regionUrl, RegionHop, cancellationToken).ConfigureAwait(false)
                ?? throw new CredentialRequestFailedException(RegionHop, $"Instance metadata has no document at {_regionUrl.AbsolutePath} (404). Check the credential configuration's region_url.", HttpStatusCode.NotFound, "NotFound");
            region = _regionUrl.AbsolutePath.TrimEnd('/').EndsWith("availability-zone", StringComparison.Ordinal) ? FromZone(text) : text.Trim();
        }
        else
        {
            string? text = await GetMetadataAsync(new Uri(_endpoint, "/latest/meta-data/placement/region"), RegionHop, cancellationToken).ConfigureAwait(false);
            if (text is not null)
            {
                region = text.Trim();
            }
            else
            {
                string zone = await GetMetadataAsync(new Uri(_endpoint, "/latest/meta-data/placement/availability-zone"), RegionHop, cancellationToken).ConfigureAwait(false)
                    ?? throw new CredentialRequestFailedException(RegionHop, "Instance metadata has neither placement/region nor placement/availability-zone (404). Set AWS_REGION instead.", HttpStatusCode.NotFound, "NotFound");
                region = FromZone(zone);
            }
        }

        if (!AwsRegion.IsValid(region))
        {
            throw new CredentialRequestFailedException(RegionHop, "Instance metadata answered with something that is not a region name. Set AWS_REGION instead, or check region_url.", HttpStatusCode.OK, "MalformedResponse");
        }

        Volatile.Write(ref _region, region);
        return region;
    }

    private static string FromZone(string zone)
    {
        // us-east-2b → us-east-2; local and wavelength zones (us-west-2-lax-1a) keep the same rule in Google's libraries.
        string trimmed = zone.Trim();
        return trimmed.Length > 1 && char.IsAsciiLetterLower(trimmed[^1]) ? trimmed[..^1] : trimmed;
    }

    private static Uri? Authority(Uri? url) => url is null ? null : new Uri(url.GetLeftPart(UriPartial.Authority));

    private static Uri Validate(Uri url, string name, bool allowAny)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new CredentialConfigurationException(CredentialsHop, $"{name} '{url}' must be an absolute http or https URL without user info.");
        }

        if (!allowAny && !IsMetadataHost(url))
        {
            throw new CredentialConfigurationException(
                CredentialsHop,
                $"{name} points to '{url.Host}', which is not the instance metadata service (169.254.169.254 or fd00:ec2::254) nor a loopback address. A credential configuration must not send metadata requests elsewhere; set AllowAnyEndpoint if you really mean it.");
        }

        return url;
    }

    private static bool IsMetadataHost(Uri url)
    {
        if (url.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out IPAddress? address)
            && (address.Equals(IPAddress.Parse("169.254.169.254")) || address.Equals(IPAddress.Parse("fd00:ec2::254")));
    }

    private Uri? EndpointFromEnvironment()
    {
        string? endpoint = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.Ec2MetadataEndpoint)?.Trim();
        if (!string.IsNullOrEmpty(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? parsed))
            {
                throw new CredentialConfigurationException(CredentialsHop, $"AWS_EC2_METADATA_SERVICE_ENDPOINT '{endpoint}' is not an absolute URL such as 'http://169.254.169.254'.");
            }

            return parsed;
        }

        string? mode = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.Ec2MetadataEndpointMode)?.Trim();
        return string.Equals(mode, "IPv6", StringComparison.OrdinalIgnoreCase) ? s_defaultIpv6Endpoint : null;
    }

    private void ThrowIfDisabled(string hop)
    {
        if (string.Equals(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.Ec2MetadataDisabled)?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialSourceUnavailableException(hop, "Instance metadata is disabled by AWS_EC2_METADATA_DISABLED=true. Unset it to use the instance role, or use another AWS source.");
        }
    }

    private async ValueTask<string> GetRoleNameAsync(CancellationToken cancellationToken)
    {
        string? listing = await GetMetadataAsync(_credentialsUrl, CredentialsHop, cancellationToken).ConfigureAwait(false);
        string? role = listing?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(role))
        {
            throw new CredentialSourceUnavailableException(
                CredentialsHop,
                "This EC2 instance has no IAM role (no instance profile is attached). Attach an instance profile with a role, or use another AWS source.");
        }

        return role;
    }

    /// <summary>GETs a metadata document; <see langword="null"/> on 404.</summary>
    private async ValueTask<string?> GetMetadataAsync(Uri url, string hop, CancellationToken cancellationToken)
    {
        bool renewed = false;
        while (true)
        {
            string? token = _useImdsV2 ? await GetSessionTokenAsync(cancellationToken).ConfigureAwait(false) : null;
            AwsHttpResponse response;
            try
            {
                response = await _retry.ExecuteAsync(
                    hop,
                    async attemptToken =>
                    {
                        using HttpRequestMessage request = new(HttpMethod.Get, url);
                        if (token is not null)
                        {
                            request.Headers.TryAddWithoutValidation(TokenHeader, token);
                        }

                        return await AwsHttp.SendAsync(_httpClient, request, _requestTimeout, MaxDocumentBytes, _timeProvider, attemptToken).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is TimeoutException or HttpRequestException)
            {
                throw new CredentialSourceUnavailableException(
                    hop,
                    $"Instance metadata at {url.GetLeftPart(UriPartial.Authority)} did not answer after {_maxAttempts} attempts ({error.Message}). This host is probably not an EC2 instance.",
                    error);
            }
            catch (InvalidDataException error)
            {
                throw new CredentialRequestFailedException(hop, $"Instance metadata sent an oversized response for {url.AbsolutePath}.", errorCode: "MalformedResponse", isTransient: true, innerException: error);
            }

            if (response.IsSuccess)
            {
                return response.Body;
            }

            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    return null;
                case HttpStatusCode.Unauthorized when token is not null && !renewed:
                    // The session token expired or was revoked: renew it once.
                    Log.SessionTokenRejected(_logger);
                    Interlocked.Exchange(ref _sessionToken, null);
                    renewed = true;
                    continue;
                case HttpStatusCode.Unauthorized:
                    throw new CredentialRequestFailedException(
                        hop,
                        token is null
                            ? "Instance metadata requires IMDSv2 session tokens (401) and IMDSv2 is off. Set UseImdsV2 = true."
                            : "Instance metadata rejected a freshly issued IMDSv2 session token (401). Check that nothing rewrites the X-aws-ec2-metadata-token header (a proxy) and that the metadata hop limit allows this container.",
                        response.StatusCode,
                        "Unauthorized");
                case HttpStatusCode.Forbidden:
                    throw new CredentialSourceUnavailableException(hop, "Instance metadata refused the request (403): the metadata service is probably disabled for this instance (HttpEndpoint=disabled), or the request went through a proxy.");
                default:
                    bool transient = HopHttp.IsTransient(response.StatusCode);
                    throw new CredentialRequestFailedException(
                        hop,
                        $"Instance metadata answered {(int)response.StatusCode} for {url.AbsolutePath}{(transient ? $" after {_maxAttempts} attempts" : string.Empty)}.",
                        response.StatusCode,
                        response.StatusCode.ToString(),
                        isTransient: transient);
            }
        }
    }

    /// <summary>Gets the current IMDSv2 session token, requesting one when none is held or it is about to expire;
    /// <see langword="null"/> to fall back to IMDSv1 (only when allowed).</summary>
    private async ValueTask<string?> GetSessionTokenAsync(CancellationToken cancellationToken)
    {
        SessionToken? current = Volatile.Read(ref _sessionToken);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (current is not null && now < current.RenewAt)
        {
            return current.Value;
        }

        string ttl = ((int)_sessionTokenTtl.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        AwsHttpResponse response;
        try
        {
            response = await _retry.ExecuteAsync(
                SessionTokenHop,
                async attemptToken =>
                {
                    using HttpRequestMessage request = new(HttpMethod.Put, _sessionTokenUrl);
                    request.Headers.TryAddWithoutValidation(TokenTtlHeader, ttl);
                    return await AwsHttp.SendAsync(_httpClient, request, _requestTimeout, MaxTokenBytes, _timeProvider, attemptToken).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or HttpRequestException)
        {
            if (_allowImdsV1 && error is TimeoutException)
            {
                Log.FallingBackToImdsV1(_logger, "timeout");
                return null;
            }

            throw new CredentialSourceUnavailableException(
                SessionTokenHop,
                $"No IMDSv2 session token from {_sessionTokenUrl.GetLeftPart(UriPartial.Authority)} after {_maxAttempts} attempts ({error.Message}). Either this host is not an EC2 instance, or this is a container and the instance's metadata hop limit is 1: set HttpPutResponseHopLimit to 2 (aws ec2 modify-instance-metadata-options).",
                error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialRequestFailedException(SessionTokenHop, "Instance metadata sent an oversized session token.", errorCode: "MalformedResponse", isTransient: true, innerException: error);
        }

        if (response.IsSuccess && !string.IsNullOrWhiteSpace(response.Body))
        {
            DateTimeOffset issued = _timeProvider.GetUtcNow();
            TimeSpan margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(60).Ticks, _sessionTokenTtl.Ticks / 5));
            SessionToken token = new(response.Body.Trim(), issued + _sessionTokenTtl - margin);
            Volatile.Write(ref _sessionToken, token);
            return token.Value;
        }

        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.Forbidden)
        {
            if (_allowImdsV1)
            {
                Log.FallingBackToImdsV1(_logger, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }

            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new CredentialSourceUnavailableException(SessionTokenHop, "Instance metadata refused an IMDSv2 session token (403): the metadata service is probably disabled for this instance, or the request went through a proxy.");
            }

            throw new CredentialConfigurationException(
                SessionTokenHop,
                $"The metadata service at {_sessionTokenUrl.GetLeftPart(UriPartial.Authority)} does not support IMDSv2 session tokens ({(int)response.StatusCode}). Set AllowImdsV1 = true only if you trust every process and proxy on this host.");
        }

        throw new CredentialRequestFailedException(
            SessionTokenHop,
            $"Instance metadata answered {(int)response.StatusCode} to the IMDSv2 session token request.",
            response.StatusCode,
            response.StatusCode.ToString(),
            isTransient: HopHttp.IsTransient(response.StatusCode));
    }

    private sealed record SessionToken(string Value, DateTimeOffset RenewAt)
    {
        public override string ToString() => $"SessionToken {{ RenewAt = {RenewAt:O}, Value = <redacted> }}";
    }

    private static partial class Log
    {
        /// <summary>Events 103 (credentials extended), 104 (extension limit reached) and 105 (endpoint recovered).</summary>
        public const int FirstStaticStabilityEventId = 103;

        [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Fetched the credentials of the instance role {RoleName}, expiring at {ExpiresOn}.")]
        public static partial void CredentialsFetched(ILogger logger, string roleName, DateTimeOffset expiresOn);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Instance metadata rejected the IMDSv2 session token (401); requesting a new one.")]
        public static partial void SessionTokenRejected(ILogger logger);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "No IMDSv2 session token ({Reason}); falling back to IMDSv1 because AllowImdsV1 is set.")]
        public static partial void FallingBackToImdsV1(ILogger logger, string reason);
    }
}
