using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Builds each registered AWS identity once, when it is first resolved: the first source (found as the AWS SDKs find
/// it, or as configured), then one <c>AssumeRole</c> hop per entry of the role chain, every hop behind its own
/// refresh-ahead cache. Owns and disposes the caches.
/// </summary>
internal sealed class AwsIdentityRegistry(IServiceProvider services, IOptionsMonitor<AwsCredentialsOptions> options) : IDisposable
{
    private readonly Dictionary<string, AwsIdentity> _identities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshAheadCache<AuthToken>> _eksTokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public AwsIdentity Get(string name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_identities.TryGetValue(name, out AwsIdentity? existing))
            {
                return existing;
            }

            AwsIdentity created = Build(name);
            _identities.Add(name, created);
            return created;
        }
    }

    /// <summary>The cached EKS bearer tokens of a cluster, signed with the named AWS identity.</summary>
    public RefreshAheadCache<AuthToken> GetEksToken(string clusterName, string awsName)
    {
        AwsIdentity aws = Get(awsName);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_eksTokens.TryGetValue(clusterName, out RefreshAheadCache<AuthToken>? existing))
            {
                return existing;
            }

            EksTokenSourceOptions settings = services.GetRequiredService<IOptionsMonitor<EksTokenSourceOptions>>().Get(clusterName);
            TimeProvider time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            ISystemEnvironment environment = services.GetService<ISystemEnvironment>() ?? SystemEnvironment.Instance;
            ILogger logger = services.GetService<ILoggerFactory>()?.CreateLogger("CrossCloudAuth.Caching.RefreshAheadCache") ?? NullLogger.Instance;
            RefreshAheadCache<AuthToken> cache = new(new EksTokenSource(aws.Provider, settings, environment, time), options.Get(awsName).Cache, time, logger);
            _eksTokens.Add(clusterName, cache);
            return cache;
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
            foreach (RefreshAheadCache<AuthToken> token in _eksTokens.Values)
            {
                token.Dispose();
            }

            _eksTokens.Clear();
            foreach (AwsIdentity identity in _identities.Values)
            {
                identity.Dispose();
            }

            _identities.Clear();
        }
    }

    private AwsIdentity Build(string name)
    {
        AwsCredentialsOptions settings = options.Get(name);
        TimeProvider time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        ILoggerFactory? loggers = services.GetService<ILoggerFactory>();
        ISystemEnvironment environment = services.GetService<ISystemEnvironment>() ?? SystemEnvironment.Instance;
        ILogger Logger(string category) => loggers?.CreateLogger(category) ?? NullLogger.Instance;

        List<RefreshAheadCache<AwsCredentials>> caches = [];
        List<IDisposable> owned = [];
        RefreshAheadCache<AwsCredentials> Cache(ICredentialProvider<AwsCredentials> source)
        {
            RefreshAheadCache<AwsCredentials> cache = new(source, settings.Cache, time, Logger("CrossCloudAuth.Caching.RefreshAheadCache"));
            caches.Add(cache);
            return cache;
        }

        try
        {
            Func<CancellationToken, ValueTask<string>>? regionResolver = null;
            DefaultAwsCredentialChain? chain = null;
            ICredentialProvider<AwsCredentials> current;
            if (settings.SourceProvider is { } provided)
            {
                current = provided is RefreshAheadCache<AwsCredentials> or DefaultAwsCredentialChain ? provided : Cache(provided);
            }
            else
            {
                ICredentialProvider<AwsCredentials> source = CreateSource(settings, environment, time, Logger, ref regionResolver);
                if (source is IDisposable disposable)
                {
                    owned.Add(disposable);
                }

                // The default chain caches the source it chooses itself; every other source gets its cache here.
                chain = source as DefaultAwsCredentialChain;
                current = chain is null ? Cache(source) : chain;
            }

            foreach (AssumeRoleCredentialSourceOptions hop in settings.RoleChain)
            {
                ApplyStsDefaults(hop.Sts, settings);
                current = Cache(new AssumeRoleCredentialSource(current, hop, environment, time, Logger("CrossCloudAuth.Aws.AssumeRoleCredentialSource")));
            }

            AwsIdentity identity = new(name, current, caches, owned, regionResolver, chain);
            ILogger log = Logger("CrossCloudAuth.DependencyInjection");
            if (log.IsEnabled(LogLevel.Information))
            {
                string described = IdentityName.Describe(name);
                string hops = string.Join(" → ", (chain is null ? [] : new[] { chain.HopName }).Concat(caches.Select(c => c.HopName)));
                DependencyInjectionLog.AwsIdentityCreated(log, described, hops);
            }

            return identity;
        }
        catch
        {
            caches.ForEach(c => c.Dispose());
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    private static ICredentialProvider<AwsCredentials> CreateSource(
        AwsCredentialsOptions settings,
        ISystemEnvironment environment,
        TimeProvider time,
        Func<string, ILogger> logger,
        ref Func<CancellationToken, ValueTask<string>>? regionResolver)
    {
        AwsCredentialSourceKind kind = settings.Source;
        if (kind == AwsCredentialSourceKind.Auto)
        {
            bool webIdentityOptions = !string.IsNullOrWhiteSpace(settings.WebIdentity.RoleArn) || !string.IsNullOrWhiteSpace(settings.WebIdentity.WebIdentityTokenFile);
            if (webIdentityOptions)
            {
                kind = AwsCredentialSourceKind.WebIdentity;
            }
            else if (!string.IsNullOrWhiteSpace(settings.Profile.ProfileName))
            {
                kind = AwsCredentialSourceKind.Profile;
            }
            else
            {
                // Nothing named in the options: the same chain as DefaultAwsCredentialChain outside DI.
                ApplyStsDefaults(settings.WebIdentity.Sts, settings);
                ApplyStsDefaults(settings.Profile.Sts, settings);
                settings.Container.HttpClient ??= settings.HttpClient;
                settings.InstanceMetadata.HttpClient ??= settings.HttpClient;
                DefaultAwsCredentialChain chain = new(
                    new DefaultAwsCredentialChainOptions
                    {
                        Profile = settings.Profile,
                        WebIdentity = settings.WebIdentity,
                        Container = settings.Container,
                        InstanceMetadata = settings.InstanceMetadata,
                        Cache = settings.Cache,
                    },
                    environment,
                    time,
                    logger("CrossCloudAuth.Aws.DefaultAwsCredentialChain"));
                regionResolver = chain.ResolveRegionAsync;
                return chain;
            }
        }

        switch (kind)
        {
            case AwsCredentialSourceKind.WebIdentity:
                ApplyStsDefaults(settings.WebIdentity.Sts, settings);
                return new WebIdentityCredentialSource(settings.WebIdentity, environment, time, logger("CrossCloudAuth.Aws.WebIdentityCredentialSource"));
            case AwsCredentialSourceKind.Environment:
                return new EnvironmentCredentialSource(environment);
            case AwsCredentialSourceKind.Profile:
                ApplyStsDefaults(settings.Profile.Sts, settings);
                return new AwsProfileCredentialSource(settings.Profile, environment, time, logger("CrossCloudAuth.Aws.AwsProfileCredentialSource"));
            case AwsCredentialSourceKind.Container:
                settings.Container.HttpClient ??= settings.HttpClient;
                return new ContainerCredentialSource(settings.Container, environment, time, logger("CrossCloudAuth.Aws.ContainerCredentialSource"));
            default:
                settings.InstanceMetadata.HttpClient ??= settings.HttpClient;
                Ec2InstanceMetadataCredentialSource imds = new(settings.InstanceMetadata, environment, time, logger("CrossCloudAuth.Aws.Ec2InstanceMetadataCredentialSource"));
                regionResolver = imds.GetRegionAsync;
                return imds;
        }
    }

    private static void ApplyStsDefaults(AwsStsOptions sts, AwsCredentialsOptions settings)
    {
        sts.Region ??= settings.Region;
        sts.ServiceUrl ??= settings.StsServiceUrl;
        sts.HttpClient ??= settings.HttpClient;
    }
}

/// <summary>One registered AWS identity: its last hop (a cache), every hop's cache, and the AWS SDK adapter.</summary>
internal sealed class AwsIdentity : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;
    private readonly IReadOnlyList<RefreshAheadCache<AwsCredentials>> _caches;
    private readonly DefaultAwsCredentialChain? _chain;

    public AwsIdentity(string name, ICredentialProvider<AwsCredentials> provider, IReadOnlyList<RefreshAheadCache<AwsCredentials>> caches, IReadOnlyList<IDisposable> owned, Func<CancellationToken, ValueTask<string>>? regionResolver, DefaultAwsCredentialChain? chain = null)
    {
        Name = name;
        Provider = provider;
        _caches = caches;
        _chain = chain;
        _owned = owned;
        RegionResolver = regionResolver;
        SdkCredentials = new CachedAwsCredentials(provider);
    }

    public string Name { get; }

    public ICredentialProvider<AwsCredentials> Provider { get; }

    /// <summary>Every hop's cache; with the default chain, its cache once it has chosen a source.</summary>
    public IReadOnlyList<RefreshAheadCache<AwsCredentials>> Caches =>
        _chain?.SelectedCache is { } chosen ? [chosen, .. _caches] : _caches;

    public Func<CancellationToken, ValueTask<string>>? RegionResolver { get; }

    public CachedAwsCredentials SdkCredentials { get; }

    public void Dispose()
    {
        foreach (RefreshAheadCache<AwsCredentials> cache in _caches)
        {
            cache.Dispose();
        }

        foreach (IDisposable disposable in _owned)
        {
            disposable.Dispose();
        }
    }
}
