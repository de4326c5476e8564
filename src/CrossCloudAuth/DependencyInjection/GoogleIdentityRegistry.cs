using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Builds each registered Google identity once, when it is first resolved, from its named options and the
/// container's optional <see cref="TimeProvider"/>, <see cref="ILoggerFactory"/> and <see cref="ISystemEnvironment"/>;
/// owns and disposes what it built.
/// </summary>
/// <remarks>A failed build is not remembered: the next resolution tries again (after the file is fixed, for example).</remarks>
internal sealed class GoogleIdentityRegistry(IServiceProvider services, IOptionsMonitor<GoogleFromAwsIdentityOptions> options) : IDisposable
{
    private readonly Dictionary<string, GoogleIdentity> _identities = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public GoogleIdentity Get(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_identities.TryGetValue(name, out GoogleIdentity? existing))
            {
                return existing;
            }

            GoogleIdentity created = Build(name);
            _identities.Add(name, created);
            return created;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (GoogleIdentity identity in _identities.Values)
            {
                identity.Credential.Dispose();
            }

            _identities.Clear();
        }
    }

    private GoogleIdentity Build(string name)
    {
        // Throws OptionsValidationException with the validator's messages when the options are invalid.
        GoogleFromAwsIdentityOptions settings = options.Get(name);
        TimeProvider time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        ILoggerFactory? loggers = services.GetService<ILoggerFactory>();
        ISystemEnvironment environment = services.GetService<ISystemEnvironment>() ?? SystemEnvironment.Instance;
        ILogger logger = loggers?.CreateLogger("CrossCloudAuth.DependencyInjection") ?? NullLogger.Instance;

        void Apply(GoogleFederatedCredentialOptions credential)
        {
            if (settings.Scopes.Count > 0)
            {
                credential.Scopes = settings.Scopes.ToList();
            }

            credential.QuotaProjectId = NullIfBlank(settings.QuotaProjectId) ?? credential.QuotaProjectId;
            credential.ServiceAccountEmail = NullIfBlank(settings.ServiceAccountEmail) ?? credential.ServiceAccountEmail;
            credential.TokenLifetime = settings.TokenLifetime ?? credential.TokenLifetime;
            credential.TokenUrl = settings.TokenUrl ?? credential.TokenUrl;
            credential.UniverseDomain = NullIfBlank(settings.UniverseDomain) ?? credential.UniverseDomain;
            credential.AllowNonStandardEndpoints |= settings.AllowNonStandardEndpoints;
            credential.RequestTimeout = settings.RequestTimeout;
            credential.Cache = settings.Cache ?? credential.Cache;
            credential.HttpClient = settings.HttpClient ?? credential.HttpClient;
            credential.TimeProvider = time;
            credential.LoggerFactory = loggers;
            credential.Environment = environment;
            settings.ConfigureCredential?.Invoke(credential);
        }

        GoogleFederatedCredential built;
        string origin;
        if (!string.IsNullOrWhiteSpace(settings.Audience))
        {
            GoogleFederatedCredentialOptions credential = new() { Audience = settings.Audience.Trim() };
            (credential.SubjectTokenSource, origin) = CreateSubjectTokenSource(name, settings, time, environment);
            Apply(credential);
            built = GoogleFederatedCredential.Create(credential);
        }
        else
        {
            string path = (NullIfBlank(settings.CredentialsFile) ?? NullIfBlank(environment.GetEnvironmentVariable(ExternalAccountConfiguration.CredentialsFileVariable)))
                ?? throw new CredentialSourceUnavailableException("google:configuration", $"{IdentityName.Describe(name)}: set GOOGLE_APPLICATION_CREDENTIALS or CredentialsFile to the external_account file that 'gcloud iam workload-identity-pools create-cred-config' writes.");

            // The file is small and local; the registration API is synchronous, as dependency injection is.
            ExternalAccountConfiguration configuration = ExternalAccountConfiguration.LoadFileAsync(path, environment).GetAwaiter().GetResult();
            built = GoogleFederatedCredential.FromConfiguration(configuration, Apply);
            origin = "file " + path;
        }

        try
        {
            GoogleIdentity identity = new(name, built, settings.AllowNonStandardEndpoints);
            if (logger.IsEnabled(LogLevel.Information))
            {
                string described = IdentityName.Describe(name);
                string scopes = string.Join(' ', built.Scopes);
                DependencyInjectionLog.GoogleIdentityCreated(logger, described, origin, built.HopName, built.ServiceAccountEmail ?? "(none: direct federated access)", scopes, built.QuotaProjectId ?? "(none)");
            }

            return identity;
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    private (ISubjectTokenSource Source, string Origin) CreateSubjectTokenSource(string name, GoogleFromAwsIdentityOptions settings, TimeProvider time, ISystemEnvironment environment)
    {
        if (settings.SubjectTokenSource is { } custom)
        {
            return (custom, custom.HopName);
        }

        if (!string.IsNullOrWhiteSpace(settings.SubjectTokenFile))
        {
            FileSubjectTokenSource file = new(settings.SubjectTokenFile.Trim(), settings.SubjectTokenType, environment);
            return (file, file.HopName);
        }

        AwsIdentity aws = services.GetRequiredService<AwsIdentityRegistry>().Get(name);
        AwsSubjectTokenSource signed = new(
            aws.Provider,
            new AwsSubjectTokenSourceOptions { Audience = settings.Audience!.Trim(), Region = NullIfBlank(settings.AwsRegion), RegionResolver = aws.RegionResolver },
            time,
            environment);
        return (signed, $"{signed.HopName} signed by {aws.Provider.HopName}");
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One registered Google identity and its adapters.</summary>
internal sealed class GoogleIdentity
{
    private readonly bool _allowHttpToLoopback;

    public GoogleIdentity(string name, GoogleFederatedCredential credential, bool allowHttpToLoopback)
    {
        Name = name;
        Credential = credential;
        ApisCredential = new GoogleApisCredential(credential);
        _allowHttpToLoopback = allowHttpToLoopback;
    }

    public string Name { get; }

    public GoogleFederatedCredential Credential { get; }

    public GoogleApisCredential ApisCredential { get; }

    /// <summary>A new handler per call: IHttpClientFactory owns and recycles handler chains.</summary>
    public GoogleBearerTokenHandler CreateHandler() => new(Credential, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = _allowHttpToLoopback });
}
