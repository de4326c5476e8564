using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Cli;

/// <summary>
/// The one place where the commands build the library's credentials: how the clock, the environment and the HTTP
/// client are handed over lives here and nowhere else in the tool.
/// </summary>
internal static class Plumbing
{
    /// <summary>The variable that lets a credential configuration point at loopback endpoints (the local emulator).
    /// Only loopback hosts are accepted, whatever the file says: the trust anchor is this code, not the file.</summary>
    public const string AllowLoopbackVariable = "CROSSCLOUD_ALLOW_LOOPBACK_ENDPOINTS";

    /// <summary>Every hop's deadline: no single request of the tool waits longer.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates the HTTP client handed to the library, optionally with a recording handler on top.</summary>
    /// <param name="host">The host.</param>
    /// <param name="recorder">A handler that sees every request (the doctor's hop recorder), or <see langword="null"/>.</param>
    /// <returns>The client; the caller disposes it.</returns>
    public static HttpClient CreateHttpClient(CliHost host, DelegatingHandler? recorder = null)
    {
        HttpMessageHandler inner = host.HandlerFactory?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (recorder is not null)
        {
            recorder.InnerHandler = inner;
            inner = recorder;
        }

        return new HttpClient(inner) { Timeout = RequestTimeout };
    }

    /// <summary>Loads the platform's cryptography library (OpenSSL on Linux) on a thread-pool thread and returns at
    /// once. A command that will sign (SigV4 needs HMAC-SHA256) or speak TLS otherwise pays for loading and
    /// initialising it on its critical path, at the first signature or handshake; started first, the load overlaps
    /// reading the configuration, building the clients and the first round trip. Nothing is computed that is used:
    /// a failure here is ignored, and the real call reports it where it happens.</summary>
    public static void PreloadCryptography() =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static _ =>
            {
                try
                {
                    _ = System.Security.Cryptography.HMACSHA256.HashData([0], [0]);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // Reported by the hop that signs, with its name and fix.
                }
                catch (DllNotFoundException)
                {
                    // Reported by the hop that signs, with its name and fix.
                }
                catch (TypeInitializationException)
                {
                    // Reported by the hop that signs, with its name and fix.
                }
            },
            state: (object?)null);

    /// <summary>The library's view of the tool's process: its environment, clock and HTTP client.</summary>
    /// <param name="host">The host.</param>
    /// <param name="http">The HTTP client (not disposed by the library).</param>
    /// <returns>The context every hop shares.</returns>
    public static CredentialContext Context(CliHost host, HttpClient? http = null) => new()
    {
        Environment = host.Environment,
        TimeProvider = host.TimeProvider,
        HttpClient = http,
    };

    /// <summary>Gets a value indicating whether loopback endpoints are allowed (the variable is <c>1</c> or <c>true</c>).</summary>
    /// <param name="host">The host.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public static bool AllowsLoopback(CliHost host) =>
        host.Environment.GetEnvironmentVariable(AllowLoopbackVariable) is "1" or "true" or "TRUE" or "True";

    /// <summary>Builds the AWS credentials the library would use here: a named profile, or the default chain; then
    /// each role of <paramref name="roleArns"/> in turn.</summary>
    /// <param name="host">The host.</param>
    /// <param name="http">The HTTP client (not disposed by the chain).</param>
    /// <param name="profile">The profile, or <see langword="null"/> for the default chain.</param>
    /// <param name="roleArns">Roles to chain into, in order.</param>
    /// <param name="duration">The session duration asked of each chained role, or <see langword="null"/> for STS's default.</param>
    /// <returns>The last link; disposing it disposes the chain.</returns>
    public static AwsCredentialChain AwsChain(CliHost host, HttpClient http, string? profile, IReadOnlyList<string> roleArns, TimeSpan? duration = null)
    {
        CredentialContext context = Context(host, http);
        AwsCredentialChain chain = profile is null ? AwsCredentialChain.FromDefault(context: context) : AwsCredentialChain.FromProfile(profile, context: context);
        foreach (string roleArn in roleArns)
        {
            chain = chain.AssumeRole(roleArn, o =>
            {
                o.RoleSessionName = "crosscloud";
                if (duration is { } d)
                {
                    o.Duration = d;
                }
            });
        }

        return chain;
    }

    /// <summary>Builds the EKS token source over a chain.</summary>
    /// <param name="host">The host.</param>
    /// <param name="chain">Whose credentials sign.</param>
    /// <param name="cluster">The cluster's name.</param>
    /// <param name="region">The region, or <see langword="null"/> for the environment's.</param>
    /// <returns>The source.</returns>
    public static EksTokenSource EksTokens(CliHost host, AwsCredentialChain chain, string cluster, string? region) =>
        new(chain, new EksTokenSourceOptions
        {
            ClusterName = cluster,
            Region = region,
        }, Context(host));

    /// <summary>Builds the Google credential from a credential configuration.</summary>
    /// <param name="host">The host.</param>
    /// <param name="http">The HTTP client (not disposed by the credential).</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="scopes">The scopes, or <see langword="null"/> for cloud-platform.</param>
    /// <returns>The credential; the caller disposes it.</returns>
    /// <exception cref="CredentialConfigurationException">The configuration names non-loopback endpoints while loopback is allowed.</exception>
    public static GoogleFederatedCredential GoogleCredential(CliHost host, HttpClient http, ExternalAccountConfiguration configuration, IReadOnlyList<string>? scopes = null)
    {
        bool loopback = AllowsLoopback(host);
        if (loopback)
        {
            RequireLoopback(configuration);
        }

        return GoogleFederatedCredential.FromConfiguration(
            configuration,
            o =>
            {
                o.AllowNonStandardEndpoints = loopback;
                if (scopes is { Count: > 0 })
                {
                    o.Scopes = [.. scopes];
                }
            },
            Context(host, http));
    }

    /// <summary>Loads the configuration named by <c>GOOGLE_APPLICATION_CREDENTIALS</c>.</summary>
    /// <param name="host">The host.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The configuration.</returns>
    public static Task<ExternalAccountConfiguration> LoadGoogleConfigurationAsync(CliHost host, CancellationToken cancellationToken) =>
        ExternalAccountConfiguration.LoadFromEnvironmentAsync(host.Environment, cancellationToken);

    /// <summary>Refuses a configuration that sends anything off this machine while loopback endpoints are allowed.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <exception cref="CredentialConfigurationException">An endpoint is not a loopback address.</exception>
    public static void RequireLoopback(ExternalAccountConfiguration configuration)
    {
        ExternalAccountCredentialSource source = configuration.CredentialSource;
        (string Field, Uri? Url)[] endpoints =
        [
            ("token_url", configuration.TokenUrl),
            ("service_account_impersonation_url", configuration.ServiceAccountImpersonationUrl),
            ("token_info_url", configuration.TokenInfoUrl),
            ("credential_source.url", source.Url),
            ("credential_source.region_url", source.RegionUrl),
            ("credential_source.imdsv2_session_token_url", source.Imdsv2SessionTokenUrl),
            ("credential_source.regional_cred_verification_url", Uri.TryCreate(source.RegionalCredentialVerificationUrl?.Replace("{region}", "r", StringComparison.Ordinal), UriKind.Absolute, out Uri? v) ? v : null),
        ];
        foreach ((string field, Uri? url) in endpoints)
        {
            if (url is not null && !url.IsLoopback)
            {
                throw new CredentialConfigurationException("google:credential-configuration", $"{AllowLoopbackVariable} allows only loopback endpoints, but {field} in {configuration.Source} points to {url.Scheme}://{url.Authority}. Point it at the local emulator, or unset {AllowLoopbackVariable} to use Google's endpoints.");
            }
        }
    }
}
