using CrossCloudAuth.Caching;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Google;

public sealed partial class GoogleFederatedCredential
{
    /// <summary>Builds a credential from options set in code, without a configuration file.</summary>
    /// <param name="options">The settings; copied.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <returns>The credential. Dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">A setting is missing or invalid, or an endpoint is not allowed.</exception>
    public static GoogleFederatedCredential Create(GoogleFederatedCredentialOptions options, CredentialContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Build(options, ExternalAccountConfiguration.HopName("options"), configuration: null, context);
    }

    /// <summary>Builds a credential from an <c>external_account</c> configuration, building the subject token source
    /// from its <c>credential_source</c>.</summary>
    /// <param name="configuration">The parsed configuration file.</param>
    /// <param name="configure">Adjusts the options filled from the file (scopes, service account, endpoint policy…); optional.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <returns>The credential. Dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">A setting is invalid, an endpoint is not allowed, or the credential source cannot be used here.</exception>
    public static GoogleFederatedCredential FromConfiguration(ExternalAccountConfiguration configuration, Action<GoogleFederatedCredentialOptions>? configure = null, CredentialContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        GoogleFederatedCredentialOptions options = new()
        {
            Audience = configuration.Audience,

            // A token_url the file does not name follows the universe the application allows, not the file's.
            TokenUrl = configuration.TokenUrlNamed ? configuration.TokenUrl : null,
            ServiceAccountImpersonationUrl = configuration.ServiceAccountImpersonationUrl,
            TokenLifetime = configuration.TokenLifetime,
            QuotaProjectId = configuration.QuotaProjectId,
            WorkforcePoolUserProject = configuration.WorkforcePoolUserProject,
            ClientId = configuration.ClientId,
            ClientSecret = configuration.ClientSecret,
            TokenInfoUrl = configuration.TokenInfoUrl,
        };
        configure?.Invoke(options);
        return Build(options, ExternalAccountConfiguration.HopName(configuration.Source), configuration, context);
    }

    /// <summary>Builds a credential from the configuration file named by <c>GOOGLE_APPLICATION_CREDENTIALS</c>.</summary>
    /// <param name="configure">Adjusts the options filled from the file; optional.</param>
    /// <param name="context">The clock, logging, HTTP client and environment (which reads the variable and the file);
    /// <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels reading the file.</param>
    /// <returns>The credential. Dispose it when done.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The variable is unset or the file is missing.</exception>
    /// <exception cref="CredentialConfigurationException">The file or a setting is invalid.</exception>
    public static async Task<GoogleFederatedCredential> FromEnvironmentAsync(Action<GoogleFederatedCredentialOptions>? configure = null, CredentialContext? context = null, CancellationToken cancellationToken = default)
    {
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFromEnvironmentAsync(context?.Environment, cancellationToken).ConfigureAwait(false);
        return FromConfiguration(configuration, configure, context);
    }

    private static GoogleFederatedCredential Build(GoogleFederatedCredentialOptions options, string hop, ExternalAccountConfiguration? configuration, CredentialContext? context)
    {
        string audience = string.IsNullOrWhiteSpace(options.Audience)
            ? throw new CredentialConfigurationException(hop, "The audience (the workload identity provider's full resource name) is required.")
            : options.Audience.Trim();
        string universe = GoogleEndpointPolicy.ValidateUniverseDomain(
            options.UniverseDomain,
            configuration is { UniverseDomainNamed: true } ? configuration.UniverseDomain : null,
            hop);
        bool allowAny = options.AllowNonStandardEndpoints;

        Uri tokenUrl = options.TokenUrl ?? new Uri(GoogleDefaults.DefaultTokenUrl(universe));
        GoogleEndpointPolicy.ValidateStsUrl(tokenUrl, universe, allowAny, "token_url", hop);
        if (options.TokenInfoUrl is Uri tokenInfo)
        {
            GoogleEndpointPolicy.ValidateStsUrl(tokenInfo, universe, allowAny, "token_info_url", hop);
        }

        Uri? impersonationUrl = options.ServiceAccountImpersonationUrl;
        string? email = options.ServiceAccountEmail;
        if (impersonationUrl is not null)
        {
            GoogleEndpointPolicy.ValidateIamCredentialsUrl(impersonationUrl, universe, allowAny, "service_account_impersonation_url", hop);
            string fromUrl = ServiceAccountImpersonationUrl.TryGetServiceAccount(impersonationUrl)
                ?? throw new CredentialConfigurationException(hop, "The service_account_impersonation_url must end in /v1/projects/-/serviceAccounts/{EMAIL}:generateAccessToken.");
            if (email is not null && !string.Equals(email, fromUrl, StringComparison.OrdinalIgnoreCase))
            {
                throw new CredentialConfigurationException(hop, $"ServiceAccountEmail ({email}) and service_account_impersonation_url ({fromUrl}) name different service accounts; set one of them.");
            }

            email = fromUrl;
        }
        else if (!string.IsNullOrWhiteSpace(email))
        {
            email = email.Trim();
            impersonationUrl = ServiceAccountImpersonationUrl.ForAccessToken(universe, email);
        }
        else
        {
            email = null;
        }

        if (GoogleSettingsRules.TokenLifetimeProblem(options.TokenLifetime, nameof(options.TokenLifetime)) is { } lifetimeProblem)
        {
            throw new CredentialConfigurationException(hop, lifetimeProblem);
        }

        string[] delegates = options.Delegates.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => d.Trim()).ToArray();
        if (delegates.Length > 0 && impersonationUrl is null)
        {
            throw new CredentialConfigurationException(hop, "Delegates need service account impersonation: set ServiceAccountEmail or service_account_impersonation_url.");
        }

        string[] scopes = NormalizeScopes(options.Scopes ?? []);
        if (scopes.Length == 0)
        {
            throw new CredentialConfigurationException(hop, "At least one scope is required (default: https://www.googleapis.com/auth/cloud-platform).");
        }

        if (!string.IsNullOrEmpty(options.WorkforcePoolUserProject) && !WorkloadIdentityAudience.IsWorkforcePool(audience))
        {
            throw new CredentialConfigurationException(hop, "workforce_pool_user_project is only valid for a workforce pool audience.");
        }

        if (GoogleSettingsRules.RequestTimeoutProblem(options.RequestTimeout) is { } timeoutProblem)
        {
            throw new CredentialConfigurationException(hop, timeoutProblem);
        }

        HopRetryOptions retry = (options.Retry ?? new HopRetryOptions()).Validated(hop);

        options.Cache?.Validate();
        TimeProvider time = options.TimeProvider ?? context?.TimeProvider ?? TimeProvider.System;
        ISystemEnvironment environment = options.Environment ?? context?.Environment ?? SystemEnvironment.Instance;
        ILoggerFactory? loggerFactory = options.LoggerFactory ?? context?.LoggerFactory;
        HttpClient? given = options.HttpClient ?? context?.HttpClient;
        HttpClient? owned = given is null ? HopHttp.CreateClient() : null;
        HttpClient http = given ?? owned!;
        IDisposable? ownedSource = null;
        try
        {
            ISubjectTokenSource subject = options.SubjectTokenSource
                ?? (configuration is null
                    ? throw new CredentialConfigurationException(hop, "A SubjectTokenSource is required: a FileSubjectTokenSource, UrlSubjectTokenSource, ExecutableSubjectTokenSource or an AWS subject token source.")
                    : ExternalAccountSubjectTokenSources.Create(configuration, new SourceContext(http, given, time, environment, options.RequestTimeout, allowAny, email, loggerFactory, options.AwsCredentials, options.UseDefaultAwsCredentialChain), hop, out ownedSource));

            Settings settings = new(
                audience, subject, tokenUrl, impersonationUrl, email, options.TokenLifetime, delegates, scopes,
                string.IsNullOrWhiteSpace(options.QuotaProjectId) ? null : options.QuotaProjectId.Trim(),
                string.IsNullOrWhiteSpace(options.WorkforcePoolUserProject) ? null : options.WorkforcePoolUserProject.Trim(),
                string.IsNullOrWhiteSpace(options.ClientId) ? null : options.ClientId,
                string.IsNullOrWhiteSpace(options.ClientSecret) ? null : options.ClientSecret,
                universe, http, time, loggerFactory, options.Cache, options.RequestTimeout, retry);
            return new GoogleFederatedCredential(settings, owned, ownedSource);
        }
        catch
        {
            ownedSource?.Dispose();
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>The validated, immutable settings a credential runs with.</summary>
    internal sealed record Settings(
        string Audience,
        ISubjectTokenSource SubjectTokenSource,
        Uri TokenUrl,
        Uri? ImpersonationUrl,
        string? ServiceAccountEmail,
        TimeSpan? TokenLifetime,
        IReadOnlyList<string> Delegates,
        IReadOnlyList<string> Scopes,
        string? QuotaProjectId,
        string? WorkforcePoolUserProject,
        string? ClientId,
        string? ClientSecret,
        string UniverseDomain,
        HttpClient HttpClient,
        TimeProvider TimeProvider,
        ILoggerFactory? LoggerFactory,
        RefreshAheadCacheOptions? CacheOptions,
        TimeSpan RequestTimeout,
        HopRetryOptions Retry)
    {
        /// <summary>Describes the settings without the client secret (a record would print every member).</summary>
        public override string ToString() =>
            $"Settings {{ Audience = {Audience}, TokenUrl = {TokenUrl}, ImpersonationUrl = {ImpersonationUrl}, ServiceAccount = {ServiceAccountEmail}, ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "none" : "<redacted>")} }}";
    }
}

/// <summary>The plumbing a subject token source built from a configuration file shares with the credential.</summary>
internal sealed record SourceContext(
    HttpClient HttpClient,
    HttpClient? UserHttpClient,
    TimeProvider TimeProvider,
    ISystemEnvironment Environment,
    TimeSpan RequestTimeout,
    bool AllowNonStandardEndpoints,
    string? ServiceAccountEmail,
    ILoggerFactory? LoggerFactory,
    ICredentialProvider<Aws.AwsCredentials>? AwsCredentials = null,
    bool UseDefaultAwsCredentialChain = false);
