using System.Net;
using System.Net.Http.Headers;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>
/// The AWS STS calls of one source (<c>AssumeRole</c>, <c>AssumeRoleWithWebIdentity</c>): STS's query protocol over our
/// HTTP client, signed with this library's SigV4 signer, every response body capped at <see cref="MaxResponseBytes"/>,
/// every attempt bounded by a deadline on the source's <see cref="TimeProvider"/>, and our retries.
/// </summary>
/// <remarks>
/// <para>The endpoint is <see cref="AwsStsOptions.ServiceUrl"/>, else <c>AWS_ENDPOINT_URL_STS</c>, else
/// <c>AWS_ENDPOINT_URL</c> (neither when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true), else the region's
/// regional endpoint from AWSSDK.SecurityToken's endpoint rules, its FIPS or dual-stack variant when
/// <c>AWS_USE_FIPS_ENDPOINT</c> / <c>AWS_USE_DUALSTACK_ENDPOINT</c> is true (or, when they are unset, the profile's
/// <c>use_fips_endpoint</c> / <c>use_dualstack_endpoint</c> for a source read from a profile).</para>
/// <para>The calls do not go through <c>AmazonSecurityTokenServiceClient</c>: two operations do not need its pipeline,
/// whose first call in a new process costs more than the rest of a credential plugin's run (configuration reads,
/// endpoint rules, generic handlers built at run time under Native AOT), and whose errors arrive re-wrapped.</para>
/// <para>When STS refuses a signature for its time and its <c>Date</c> header is more than 4 minutes off the host clock,
/// signatures use STS's time from then on (with a warning) and the call is sent again once, as the AWS SDKs correct
/// clock skew.</para>
/// <para>Thread-safe.</para>
/// </remarks>
internal sealed partial class AwsStsClient
{
    /// <summary>The largest STS response read (an AssumeRole answer is about 2 KiB, an error well under 1 KiB).</summary>
    public const int MaxResponseBytes = 64 * 1024;

    private const string DefaultRegion = "us-east-1";

    /// <summary>STS accepts a signature up to 5 minutes off its clock; a smaller offset is left alone.</summary>
    private static readonly TimeSpan s_skewWorthCorrecting = TimeSpan.FromMinutes(4);

    private static readonly ProductInfoHeaderValue s_userAgent = new("CrossCloudAuth", LibraryVersion.Version);

    private readonly Uri _endpoint;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly HopRetry<StsCredentialsResult> _retry;
    private readonly string _hopName;
    private readonly ILogger _logger;
    private long _clockCorrectionTicks;

    public AwsStsClient(AwsStsOptions? options, ISystemEnvironment environment, string hopName, string? profileRegion = null, TimeProvider? timeProvider = null, ILogger? logger = null, HttpClient? fallbackHttpClient = null)
    {
        options ??= new AwsStsOptions();
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new CredentialConfigurationException(hopName, "The STS Timeout must be positive.");
        }

        if (options.Region is not null && !AwsRegion.IsValid(options.Region))
        {
            throw new CredentialConfigurationException(hopName, $"The STS Region '{options.Region}' is not an AWS region name such as 'us-east-2'.");
        }

        HopRetryOptions retry = (options.Retry ?? new HopRetryOptions()).Validated(hopName);
        _hopName = hopName;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _retry = new HopRetry<StsCredentialsResult>(retry, _timeProvider, ShouldRetry, retryAfter: null, static _ => "credentials", logger);
        MaxAttempts = retry.MaxAttempts;

        Region = options.Region ?? AwsRegion.FromEnvironment(environment, hopName) ?? ValidProfileRegion(profileRegion, hopName) ?? DefaultRegion;
        Timeout = options.Timeout;
        Uri? serviceUrl = options.ServiceUrl ?? ServiceUrlFromEnvironment(environment, hopName);
        if (serviceUrl is not null)
        {
            // The call is posted to the URL as it is, so a query would be sent too.
            if (!AwsStsEndpoints.IsAllowedOverride(serviceUrl) || !string.IsNullOrEmpty(serviceUrl.Query))
            {
                throw new CredentialConfigurationException(hopName, $"The STS service URL '{serviceUrl.Scheme}://{serviceUrl.Host}' must be https (or http to a loopback address, a local emulator), without user info or a query.");
            }

            _endpoint = serviceUrl;
            EndpointDescription = serviceUrl.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        }
        else
        {
            bool fips = EnvironmentFlag(environment, AwsEnvironmentVariables.UseFipsEndpoint, hopName) ?? options.ProfileUseFipsEndpoint ?? false;
            bool dualStack = EnvironmentFlag(environment, AwsEnvironmentVariables.UseDualStackEndpoint, hopName) ?? options.ProfileUseDualStackEndpoint ?? false;
            string host;
            try
            {
                host = AwsStsEndpoints.RegionalHost(Region, fips, dualStack);
            }
            catch (NotSupportedException error)
            {
                throw new CredentialConfigurationException(hopName, $"AWS STS has no {(fips ? "FIPS " : string.Empty)}{(dualStack ? "dual-stack " : string.Empty)}endpoint in {Region}: unset {(fips ? AwsEnvironmentVariables.UseFipsEndpoint + " (or the profile's use_fips_endpoint)" : AwsEnvironmentVariables.UseDualStackEndpoint + " (or the profile's use_dualstack_endpoint)")} or choose another region.", error);
            }

            _endpoint = new Uri($"https://{host}/");
            EndpointDescription = host;
        }

        _http = options.HttpClient ?? fallbackHttpClient ?? HopHttp.SharedClient;
    }

    /// <summary>Gets how many attempts a call makes at most.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets the signing region (and the regional endpoint's, without an override).</summary>
    public string Region { get; }

    /// <summary>Gets the deadline of each attempt.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets a description of the endpoint for messages: its scheme and authority, never a path or query.</summary>
    public string EndpointDescription { get; }

    /// <summary>Gets what is added to the host clock when signing: STS's time minus the host's, learned from a refused
    /// signature (zero until then).</summary>
    public TimeSpan ClockCorrection => TimeSpan.FromTicks(Interlocked.Read(ref _clockCorrectionTicks));

    /// <summary>Makes one STS call with retries: every attempt has its own deadline of <see cref="Timeout"/> on the
    /// source's clock and has its errors mapped by <paramref name="mapError"/>. Retried: throttling, 5xx, network
    /// failures, missed deadlines, malformed answers; never a definitive rejection or an oversized answer.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="parameters">Its parameters besides <c>Action</c> and <c>Version</c>, in order.</param>
    /// <param name="signer">The credentials that sign the call; <see langword="null"/> for an unsigned call
    /// (<c>AssumeRoleWithWebIdentity</c>).</param>
    /// <param name="mapError">Maps what an attempt threw (<see cref="AwsStsServiceException"/>,
    /// <see cref="StsMalformedResponseException"/>, a transport exception) to the library's exception.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CrossCloudAuthException">What <paramref name="mapError"/> made of the last attempt's error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<StsCredentialsResult> CallAsync(
        StsOperation operation,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        AwsCredentials? signer,
        Func<Exception, CrossCloudAuthException> mapError,
        CancellationToken cancellationToken)
    {
        byte[] body = StsQueryProtocol.FormBody(operation, parameters);
        string payloadHash = signer is null ? string.Empty : SigV4Signer.HexSha256(body);
        return _retry.ExecuteAsync(
            _hopName,
            async attemptToken =>
            {
                using CancellationTokenSource deadline = new(Timeout, _timeProvider);
                using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(attemptToken, deadline.Token);
                try
                {
                    for (int send = 1; ; send++)
                    {
                        using HttpRequestMessage request = CreateRequest(body, payloadHash, signer);
                        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                        byte[] answer = await HopHttp.ReadBoundedAsync(response.Content, MaxResponseBytes, linked.Token).ConfigureAwait(false);
                        if (response.IsSuccessStatusCode)
                        {
                            return StsQueryProtocol.ParseCredentials(operation, answer);
                        }

                        AwsStsServiceException error = StsQueryProtocol.ParseError(response.StatusCode, answer);
                        if (send == 1 && signer is not null && CorrectClock(error, response.Headers.Date))
                        {
                            continue;
                        }

                        throw error;
                    }
                }
                catch (InvalidDataException error)
                {
                    throw StsErrors.TooLarge(_hopName, EndpointDescription, MaxResponseBytes, error);
                }
                catch (Exception error) when (!(error is OperationCanceledException && attemptToken.IsCancellationRequested))
                {
                    if (deadline.IsCancellationRequested)
                    {
                        throw StsErrors.Timeout(_hopName, EndpointDescription, Timeout, error);
                    }

                    throw mapError(error);
                }
            },
            cancellationToken);
    }

    /// <summary>Whether a mapped STS error is worth another attempt. An expired token is not: the same token or
    /// session would be sent again.</summary>
    internal static bool ShouldRetry(AttemptOutcome<StsCredentialsResult> outcome) =>
        outcome.Exception is CredentialRequestFailedException { IsTransient: true } failed
        && failed.ErrorCode is not ("ExpiredToken" or "ExpiredTokenException" or StsErrors.ResponseTooLargeCode);

    /// <summary>Learns the host clock's offset from STS's when STS refused a signature for its time, as the AWS SDKs
    /// do: the next signature uses STS's time, and the call is sent again once.</summary>
    /// <returns>Whether the offset changed (so sending again can succeed).</returns>
    private bool CorrectClock(AwsStsServiceException error, DateTimeOffset? serverDate)
    {
        if (error.ErrorCode is not ("SignatureDoesNotMatch" or "RequestExpired" or "RequestTimeTooSkewed" or "InvalidSignatureException") || serverDate is not DateTimeOffset server)
        {
            return false;
        }

        TimeSpan offset = server - _timeProvider.GetUtcNow();
        if (offset.Duration() < s_skewWorthCorrecting || (offset - ClockCorrection).Duration() < s_skewWorthCorrecting)
        {
            return false;
        }

        Interlocked.Exchange(ref _clockCorrectionTicks, offset.Ticks);
        Log.ClockCorrected(_logger, offset, EndpointDescription);
        return true;
    }

    private HttpRequestMessage CreateRequest(byte[] body, string payloadHash, AwsCredentials? signer)
    {
        HttpRequestMessage request = new(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", StsQueryProtocol.FormContentType);
        request.Headers.UserAgent.Add(s_userAgent);
        if (signer is null)
        {
            return request;
        }

        DateTimeOffset now = _timeProvider.GetUtcNow() + ClockCorrection;
        string amzDate = SigV4Signer.FormatAmzDate(now);
        // Every header sent but User-Agent is signed, as the AWS SDKs do (some verifiers sign what they receive).
        List<KeyValuePair<string, string>> signed =
        [
            new("content-type", StsQueryProtocol.FormContentType),
            new("host", _endpoint.Authority),
            new("x-amz-date", amzDate),
        ];
        if (signer.SessionToken is not null)
        {
            signed.Add(new("x-amz-security-token", signer.SessionToken));
        }

        SigV4Signature signature = SigV4Signer.Sign("POST", _endpoint, signed, payloadHash, signer.AccessKeyId, signer.SecretAccessKey, Region, "sts", now);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (signer.SessionToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", signer.SessionToken);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return request;
    }

    private static string? ValidProfileRegion(string? region, string hopName)
    {
        if (region is null)
        {
            return null;
        }

        return AwsRegion.IsValid(region)
            ? region
            : throw new CredentialConfigurationException(hopName, $"The profile's region '{region}' is not an AWS region name such as 'us-east-2'.");
    }

    /// <summary>The STS endpoint the environment configures: <c>AWS_ENDPOINT_URL_STS</c>, then <c>AWS_ENDPOINT_URL</c>,
    /// unless <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true; <see langword="null"/> when none. The AWS STS calls and
    /// the EKS token's presigned URL both follow it, as the AWS CLI's do.</summary>
    /// <exception cref="CredentialConfigurationException">A variable is not an absolute URL, or the flag is not a boolean.</exception>
    internal static Uri? ServiceUrlFromEnvironment(ISystemEnvironment environment, string hopName)
    {
        if (EnvironmentFlag(environment, AwsEnvironmentVariables.IgnoreConfiguredEndpointUrls, hopName) == true)
        {
            return null;
        }

        foreach (string name in (ReadOnlySpan<string>)[AwsEnvironmentVariables.EndpointUrlSts, AwsEnvironmentVariables.EndpointUrl])
        {
            string? value = environment.GetEnvironmentVariable(name)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            return Uri.TryCreate(value, UriKind.Absolute, out Uri? url)
                ? url
                : throw new CredentialConfigurationException(hopName, $"{name} is not an absolute URL such as 'https://sts.us-east-2.amazonaws.com'.");
        }

        return null;
    }

    private static bool? EnvironmentFlag(ISystemEnvironment environment, string name, string hopName) =>
        AwsEnvironmentVariables.Flag(environment.GetEnvironmentVariable(name), name, hopName);

    private static partial class Log
    {
        [LoggerMessage(EventId = 125, Level = LogLevel.Warning, Message = "The host clock is {Offset} off the time of STS at {Endpoint}; signing with STS's time. Fix the host clock (NTP): other AWS and Google calls check it too.")]
        public static partial void ClockCorrected(ILogger logger, TimeSpan offset, string endpoint);
    }
}
