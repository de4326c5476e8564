using System.Net;
using System.Text;
using System.Text.Json;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Task or pod role credentials from a container credential endpoint: ECS (<c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>
/// on <c>169.254.170.2</c>) and EKS Pod Identity or any full URI (<c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> with
/// <c>AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE</c> or <c>AWS_CONTAINER_AUTHORIZATION_TOKEN</c>).
/// </summary>
/// <remarks>
/// <para>This gives an ECS/Fargate task or an EKS Pod Identity pod its own role, rather than the node's instance role
/// that instance metadata would return.</para>
/// <para>The endpoint is checked as the AWS SDKs do (plain http only to loopback, <c>169.254.170.2</c>,
/// <c>169.254.170.23</c> or <c>fd00:ec2::23</c>), so a configuration cannot send the authorization token elsewhere.
/// The authorization token is read anew on every call and never logged.</para>
/// <para>This type is thread-safe. It fetches anew on every call: wrap it in a
/// <see cref="Caching.RefreshAheadCache{TCredential}"/>.</para>
/// </remarks>
public sealed partial class ContainerCredentialSource : ICredentialProvider<AwsCredentials>
{
    private const string EcsHost = "169.254.170.2";
    private const int MaxDocumentBytes = 64 * 1024;
    private const int MaxTokenBytes = 16 * 1024;

    private static readonly IPAddress[] s_allowedHttpAddresses =
    [
        IPAddress.Parse("169.254.170.2"),
        IPAddress.Parse("169.254.170.23"),
        IPAddress.Parse("fd00:ec2::23"),
    ];

    private readonly ContainerCredentialSourceOptions _options;
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient _httpClient;
    private readonly Uri? _endpoint;
    private readonly int _maxAttempts;
    private readonly HopRetry<AwsHttpResponse> _retry;
    private readonly StaticStability _staticStability;

    /// <summary>Initializes a new instance of the <see cref="ContainerCredentialSource"/> class.</summary>
    /// <param name="options">The options; unset values come from the environment. Read once, except the
    /// authorization token, which is read on every call.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="CredentialConfigurationException">The endpoint is malformed or its host is not allowed.</exception>
    public ContainerCredentialSource(
        ContainerCredentialSourceOptions? options = null,
        CredentialContext? context = null)
        : this(options, context?.Environment, context?.TimeProvider, context?.Logger<ContainerCredentialSource>(), random: null, context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal ContainerCredentialSource(
        ContainerCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
        : this(options, environment, timeProvider, logger, random: null)
    {
    }

    /// <summary>Initializes a new instance with the random source of the static-stability jitter (tests seed it).</summary>
    internal ContainerCredentialSource(
        ContainerCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider,
        ILogger? logger,
        Func<double>? random,
        HttpClient? httpClient = null)
    {
        _options = options ?? new ContainerCredentialSourceOptions();
        _environment = environment ?? SystemEnvironment.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _httpClient = _options.HttpClient ?? httpClient ?? AwsHttp.DefaultClient;

        if (_options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new CredentialConfigurationException("aws-container:credentials", "RequestTimeout must be positive.");
        }

        HopRetryOptions retry = (_options.Retry ?? new HopRetryOptions()).Validated("aws-container:credentials");
        _maxAttempts = retry.MaxAttempts;
        _retry = AwsHttp.CreateRetry(retry, _timeProvider, _logger);

        _endpoint = ResolveEndpoint();
        HopName = _endpoint is null ? "aws-container:credentials" : $"aws-container:credentials({_endpoint.Authority})";
        _staticStability = new StaticStability(HopName, Log.FirstStaticStabilityEventId, _timeProvider, _logger, random);
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Fetches the container's role credentials.</summary>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <returns>The role's temporary credentials with their expiry; while the endpoint is down (5xx, 429, no answer or no
    /// connection after the retries), the last credentials again, with an expiry extended by 5–10 minutes once they
    /// are within 5 minutes of expiring, for at most one hour past their reported expiry (static stability, logged as a
    /// warning per extension; see docs/reliability.md).</returns>
    /// <exception cref="CredentialSourceUnavailableException">Neither container variable is set, or the endpoint is unreachable.</exception>
    /// <exception cref="CredentialConfigurationException">The authorization token file is missing, unreadable or holds a line break.</exception>
    /// <exception cref="CredentialRequestFailedException">The endpoint rejected the token, failed, or answered a malformed document.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        return await _staticStability.GetAsync(FetchAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AwsCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        if (_endpoint is null)
        {
            throw new CredentialSourceUnavailableException(
                HopName,
                "No container credential endpoint: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (ECS task role) nor AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) is set.");
        }

        string? authorization = await ReadAuthorizationAsync(cancellationToken).ConfigureAwait(false);
        AwsHttpResponse response;
        try
        {
            response = await _retry.ExecuteAsync(
                HopName,
                async attemptToken =>
                {
                    using HttpRequestMessage request = new(HttpMethod.Get, _endpoint);
                    if (authorization is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    return await AwsHttp.SendAsync(_httpClient, request, _options.RequestTimeout, MaxDocumentBytes, _timeProvider, attemptToken).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or HttpRequestException)
        {
            throw new CredentialSourceUnavailableException(
                HopName,
                $"The container credential endpoint did not answer after {_maxAttempts} attempts ({error.Message}). On EKS, check that the eks-pod-identity-agent DaemonSet runs on this node; on ECS, that the task has a task role.",
                error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialRequestFailedException(HopName, "The container credential endpoint sent an oversized response.", errorCode: "MalformedResponse", isTransient: true, innerException: error);
        }

        if (response.IsSuccess)
        {
            AwsCredentials credentials = CredentialDocument.Parse(
                response.Body,
                HopName,
                _timeProvider.GetUtcNow(),
                "Check the task role (ECS) or the pod identity association (EKS).");
            Log.Fetched(_logger, HopName, credentials.ExpiresOn);
            return credentials;
        }

        string fix = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? " The endpoint rejected the authorization token: check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE points at the token EKS Pod Identity mounts, and that a pod identity association exists for this service account."
            : response.StatusCode == HttpStatusCode.NotFound
                ? " Check AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / AWS_CONTAINER_CREDENTIALS_FULL_URI."
                : string.Empty;
        throw new CredentialRequestFailedException(
            HopName,
            $"The container credential endpoint answered {(int)response.StatusCode}{ErrorDetail(response.Body)}.{fix}",
            response.StatusCode,
            response.StatusCode.ToString(),
            HopHttp.IsTransient(response.StatusCode));
    }

    /// <summary>Whether either container variable is set in the environment.</summary>
    internal static bool IsConfigured(ISystemEnvironment environment) =>
        !string.IsNullOrWhiteSpace(environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerRelativeUri))
        || !string.IsNullOrWhiteSpace(environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerFullUri));

    private static string ErrorDetail(string body)
    {
        // The agent answers errors as JSON {"Code":…,"Message":…} or plain text. Of anything JSON-like (braces or quotes,
        // as in a truncated document), only Code and Message are quoted: whatever else an error body holds (even
        // credentials) stays out of the message. Plain text is quoted bounded and redacted, on one line.
        string text = body.Trim().TrimStart('\uFEFF');
        if (text.Length == 0)
        {
            return string.Empty;
        }

        if (text.Contains('{', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal))
        {
            CredentialDocument? error = null;
            try
            {
                error = JsonSerializer.Deserialize(text, AwsJsonContext.Default.CredentialDocument);
            }
            catch (JsonException)
            {
                // Not an error document: nothing of it is quoted.
            }

            return error?.Code is null && error?.Message is null
                ? string.Empty
                : $": {ServiceErrorText.Quote(error.Code)}: \"{ServiceErrorText.Quote(error.Message)}\"";
        }

        return $": \"{ServiceErrorText.Quote(text)}\"";
    }

    private Uri? ResolveEndpoint()
    {
        const string hop = "aws-container:credentials";
        string? relative = string.IsNullOrWhiteSpace(_options.RelativeUri)
            ? _environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerRelativeUri)?.Trim()
            : _options.RelativeUri.Trim();
        if (!string.IsNullOrEmpty(relative))
        {
            if (!relative.StartsWith('/'))
            {
                relative = "/" + relative;
            }

            return Uri.TryCreate("http://" + EcsHost + relative, UriKind.Absolute, out Uri? ecs) && ecs.Host == EcsHost
                ? ecs
                : throw new CredentialConfigurationException(hop, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path such as '/v2/credentials/<id>'.");
        }

        Uri? full = _options.FullUri;
        if (full is null)
        {
            string? value = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerFullUri)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out full))
            {
                throw new CredentialConfigurationException(hop, "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an absolute URL such as 'http://169.254.170.23/v1/credentials'.");
            }
        }

        if (!full.IsAbsoluteUri || !string.IsNullOrEmpty(full.UserInfo))
        {
            throw new CredentialConfigurationException(hop, "The container credential URL must be absolute and carry no user info.");
        }

        if (full.Scheme == Uri.UriSchemeHttps)
        {
            return full;
        }

        if (full.Scheme != Uri.UriSchemeHttp || !IsAllowedHttpHost(full))
        {
            throw new CredentialConfigurationException(
                hop,
                $"The container credential URL's host '{full.Host}' is not allowed over {full.Scheme}: plain http is accepted only to loopback, 169.254.170.2 (ECS), 169.254.170.23 or fd00:ec2::23 (EKS Pod Identity), as in the AWS SDKs. Use https for any other host.");
        }

        return full;
    }

    private static bool IsAllowedHttpHost(Uri url)
    {
        if (url.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out IPAddress? address) && s_allowedHttpAddresses.Contains(address);
    }

    private async ValueTask<string?> ReadAuthorizationAsync(CancellationToken cancellationToken)
    {
        string? file = string.IsNullOrWhiteSpace(_options.AuthorizationTokenFile)
            ? _environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerAuthorizationTokenFile)?.Trim()
            : _options.AuthorizationTokenFile.Trim();
        string? token;
        if (!string.IsNullOrEmpty(file))
        {
            string fileHop = "file:" + file;
            byte[] bytes;
            try
            {
                bytes = await _environment.ReadFileAsync(file, MaxTokenBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new CredentialConfigurationException(fileHop, "The container authorization token file does not exist. On EKS, check that the pod identity webhook mounted the eks-pod-identity-token volume.", error);
            }
            catch (Exception error) when (error is UnauthorizedAccessException or IOException)
            {
                throw new CredentialConfigurationException(fileHop, $"The container authorization token file could not be read ({error.GetType().Name}). Check the pod's fsGroup / file permissions.", error);
            }

            token = Encoding.UTF8.GetString(bytes).Trim();
            if (token.Length == 0)
            {
                throw new CredentialConfigurationException(fileHop, "The container authorization token file is empty.");
            }
        }
        else
        {
            token = string.IsNullOrWhiteSpace(_options.AuthorizationToken)
                ? _environment.GetEnvironmentVariable(AwsEnvironmentVariables.ContainerAuthorizationToken)?.Trim()
                : _options.AuthorizationToken.Trim();
            if (string.IsNullOrEmpty(token))
            {
                return null;
            }
        }

        if (token.Contains('\r', StringComparison.Ordinal) || token.Contains('\n', StringComparison.Ordinal))
        {
            throw new CredentialConfigurationException(HopName, "The container authorization token contains a line break, which would split the Authorization header; it is refused.");
        }

        return token;
    }

    private static partial class Log
    {
        /// <summary>Events 131 (credentials extended), 132 (extension limit reached) and 133 (endpoint recovered).</summary>
        public const int FirstStaticStabilityEventId = 131;

        [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Fetched container credentials from {HopName}, expiring at {ExpiresOn}.")]
        public static partial void Fetched(ILogger logger, string hopName, DateTimeOffset expiresOn);
    }
}
