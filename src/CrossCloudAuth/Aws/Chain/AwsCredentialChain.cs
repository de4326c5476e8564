using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS credentials for a scenario, cached at every hop: start from the credentials this workload has
/// (<see cref="FromDefault"/>, <see cref="FromWebIdentity"/>, <see cref="FromProfile"/>, or any source with
/// <see cref="From"/>), chain into roles with <see cref="AssumeRole"/>, and hand the result to AWS SDK clients
/// (<see cref="SdkCredentials"/>), an EKS cluster (<see cref="EksToken"/>) or Google (<c>GoogleSubject</c> and
/// <c>GoogleCredential</c>, extensions in <c>CrossCloudAuth.Google</c>).
/// </summary>
/// <example>
/// <code>
/// using var target = AwsCredentialChain.FromWebIdentity().AssumeRole("arn:aws:iam::222222222222:role/target");
/// var s3 = new AmazonS3Client(target.SdkCredentials, RegionEndpoint.USEast1);
/// var eks = target.EksToken("target-cluster");
/// </code>
/// </example>
/// <remarks>
/// <para><b>Cached exactly once per hop.</b> Each link is one hop behind one <see cref="RefreshAheadCache{TCredential}"/>:
/// a source given to <see cref="From"/> that already caches (a <see cref="RefreshAheadCache{TCredential}"/>, a
/// <see cref="DefaultAwsCredentialChain"/> or another link) is used as it is, any other is wrapped in a cache. Every hop
/// built from a link (<see cref="AssumeRole"/>, <see cref="EksToken"/>, <c>GoogleSubject</c>) reads the link's
/// cache, so no composition through this type calls an upstream once per request. Share each link; a hit is the
/// cache's hit.</para>
/// <para><b>Ownership.</b> A link owns its hop (the source it created and that source's cache) and what it hands out
/// (<see cref="SdkCredentials"/>, the caches of <see cref="EksToken"/>, the credentials of <c>GoogleCredential</c>):
/// they are disposed with it. A link built from another keeps it alive and takes it over: disposing the last link of a
/// chain disposes every link it was built from. When several links are built from one link, that link is disposed
/// with the last of them. To keep using a link after disposing what was built from it, build from
/// <c>AwsCredentialChain.From(link)</c> instead, which borrows it. A source given to <see cref="From"/> is disposed
/// only when <c>ownsSource</c> is <see langword="true"/>; the <see cref="CredentialContext.HttpClient"/> never.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed partial class AwsCredentialChain : IInvalidatableCredentialProvider<AwsCredentials>, IDisposable
{
    private readonly ICredentialProvider<AwsCredentials> _credentials;
    private readonly AwsCredentialChainOptions _options;
    private readonly AwsCredentialChain? _parent;
    private readonly IDisposable? _ownedCache;
    private readonly IDisposable? _ownedSource;
    private readonly Func<CancellationToken, ValueTask<string>>? _regionResolver;
    private CachedAwsCredentials? _sdkCredentials;

    private AwsCredentialChain(
        ICredentialProvider<AwsCredentials> credentials,
        AwsCredentialChainOptions options,
        AwsCredentialChain? parent,
        IDisposable? ownedCache,
        IDisposable? ownedSource,
        Func<CancellationToken, ValueTask<string>>? regionResolver)
    {
        _credentials = credentials;
        _options = options;
        _parent = parent;
        _ownedCache = ownedCache;
        _ownedSource = ownedSource;
        _regionResolver = regionResolver;
    }

    /// <summary>Gets this hop's name, such as <c>aws-sts:AssumeRole(arn:…)</c>. Never contains a secret.</summary>
    public string HopName => _credentials.HopName;

    /// <summary>Gets the provider this link reads: its own cache, or a cached source it was given.</summary>
    internal ICredentialProvider<AwsCredentials> Credentials => _credentials;

    /// <summary>Gets the plumbing every link of this chain shares.</summary>
    internal AwsCredentialChainOptions Plumbing => _options;

    /// <summary>Gets what resolves the region when the first hop knows it (instance metadata, a profile).</summary>
    internal Func<CancellationToken, ValueTask<string>>? RegionResolver => _regionResolver;

    /// <summary>Makes <paramref name="item"/> disposed with this link, after checking the link is alive.</summary>
    internal void Adopt(IDisposable item)
    {
        ThrowIfDisposed();
        Own(item);
    }

    /// <summary>Throws when this link has been disposed.</summary>
    internal void EnsureAlive() => ThrowIfDisposed();

    /// <summary>Gets these credentials as AWS SDK <see cref="Amazon.Runtime.AWSCredentials"/> for any AWS SDK client
    /// (<c>new AmazonS3Client(link.SdkCredentials, config)</c>), reading this link's cache. The same instance on every
    /// call; disposed with this link.</summary>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public CachedAwsCredentials SdkCredentials
    {
        get
        {
            CachedAwsCredentials? existing = Volatile.Read(ref _sdkCredentials);
            if (existing is not null)
            {
                return existing;
            }

            ThrowIfDisposed();
            CachedAwsCredentials created = new(_credentials);
            CachedAwsCredentials? raced = Interlocked.CompareExchange(ref _sdkCredentials, created, null);
            if (raced is not null)
            {
                return raced;
            }

            Own(created);
            return created;
        }
    }

    /// <summary>Starts from the credentials this workload has, found as the AWS SDKs find them (environment, profile,
    /// web identity, container, instance metadata): a <see cref="DefaultAwsCredentialChain"/>, which caches what it
    /// chooses, owned by the returned link.</summary>
    /// <param name="configure">Adjusts each step's settings; optional. Hops' unset HTTP clients get
    /// <see cref="CredentialContext.HttpClient"/>.</param>
    /// <param name="context">The clock, logging, HTTP client and environment every link of the chain shares; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <param name="cache">The refresh scheduling of every cache the chain creates; the cache's defaults when <see langword="null"/>.</param>
    /// <returns>The first link. Nothing is read until the first call.</returns>
    public static AwsCredentialChain FromDefault(Action<DefaultAwsCredentialChainOptions>? configure = null, CredentialContext? context = null, RefreshAheadCacheOptions? cache = null)
    {
        AwsCredentialChainOptions plumbing = AwsCredentialChainOptions.From(context, cache);
        DefaultAwsCredentialChainOptions steps = new() { Cache = plumbing.Cache };
        configure?.Invoke(steps);
        if (plumbing.HttpClient is { } http)
        {
            steps.Profile.Sts.HttpClient ??= http;
            steps.WebIdentity.Sts.HttpClient ??= http;
            steps.Container.HttpClient ??= http;
            steps.InstanceMetadata.HttpClient ??= http;
        }

        DefaultAwsCredentialChain chain = new(steps, plumbing.Environment, plumbing.TimeProvider, Logger<DefaultAwsCredentialChain>(plumbing));
        return new AwsCredentialChain(chain, plumbing, parent: null, ownedCache: chain, ownedSource: null, chain.ResolveRegionAsync);
    }

    /// <summary>Starts from <c>AssumeRoleWithWebIdentity</c> with a projected service-account token (EKS IRSA, the
    /// GKE-on-AWS webhook): a <see cref="WebIdentityCredentialSource"/> behind a cache.</summary>
    /// <param name="configure">Adjusts the source's settings; optional. Unset values come from <c>AWS_ROLE_ARN</c>,
    /// <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> and <c>AWS_ROLE_SESSION_NAME</c>.</param>
    /// <param name="context">The clock, logging, HTTP client and environment every link of the chain shares; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <param name="cache">The refresh scheduling of every cache the chain creates; the cache's defaults when <see langword="null"/>.</param>
    /// <returns>The first link. Nothing is read until the first call.</returns>
    /// <exception cref="CredentialConfigurationException">A set value is invalid.</exception>
    public static AwsCredentialChain FromWebIdentity(Action<WebIdentityCredentialSourceOptions>? configure = null, CredentialContext? context = null, RefreshAheadCacheOptions? cache = null)
    {
        AwsCredentialChainOptions plumbing = AwsCredentialChainOptions.From(context, cache);
        WebIdentityCredentialSourceOptions settings = new();
        configure?.Invoke(settings);
        settings.Sts.HttpClient ??= plumbing.HttpClient;
        WebIdentityCredentialSource source = new(settings, plumbing.Environment, plumbing.TimeProvider, Logger<WebIdentityCredentialSource>(plumbing));
        return Cached(source, plumbing, parent: null, ownedSource: null, regionResolver: null);
    }

    /// <summary>Starts from a shared config profile, as the AWS CLI reads it (static keys, <c>role_arn</c> with
    /// <c>source_profile</c>, <c>web_identity_token_file</c> or <c>credential_source</c>): an
    /// <see cref="AwsProfileCredentialSource"/>, whose intermediate hops have their own caches, behind a cache.</summary>
    /// <param name="profileName">The profile; <c>AWS_PROFILE</c>, otherwise <c>default</c>, when <see langword="null"/>.</param>
    /// <param name="configure">Adjusts the source's settings (files, STS); optional.</param>
    /// <param name="context">The clock, logging, HTTP client and environment every link of the chain shares; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <param name="cache">The refresh scheduling of every cache the chain creates; the cache's defaults when <see langword="null"/>.</param>
    /// <returns>The first link. Nothing is read until the first call.</returns>
    public static AwsCredentialChain FromProfile(string? profileName = null, Action<AwsProfileCredentialSourceOptions>? configure = null, CredentialContext? context = null, RefreshAheadCacheOptions? cache = null)
    {
        AwsCredentialChainOptions plumbing = AwsCredentialChainOptions.From(context, cache);
        AwsProfileCredentialSourceOptions settings = new() { ProfileName = profileName };
        configure?.Invoke(settings);
        settings.Sts.HttpClient ??= plumbing.HttpClient;
        AwsProfileCredentialSource source = new(settings, plumbing.Environment, plumbing.TimeProvider, Logger<AwsProfileCredentialSource>(plumbing));
        return Cached(source, plumbing, parent: null, ownedSource: source, regionResolver: null);
    }

    /// <summary>Starts from any AWS source, for composition this type has no shortcut for (instance metadata, a
    /// container endpoint, environment keys, an AWS SDK <c>AWSCredentials</c>…). A source that already caches (a
    /// <see cref="RefreshAheadCache{TCredential}"/>, a <see cref="DefaultAwsCredentialChain"/> or an
    /// <see cref="AwsCredentialChain"/>) is used as it is; any other is wrapped in a cache owned by the returned link.</summary>
    /// <param name="source">The first hop.</param>
    /// <param name="context">The clock, logging, HTTP client and environment every link of the chain shares; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <param name="cache">The refresh scheduling of every cache the chain creates; the cache's defaults when <see langword="null"/>.</param>
    /// <param name="ownsSource">Whether disposing the returned link disposes <paramref name="source"/> (when it is
    /// <see cref="IDisposable"/>). Default: <see langword="false"/>: the source is borrowed.</param>
    /// <returns>The first link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static AwsCredentialChain From(ICredentialProvider<AwsCredentials> source, CredentialContext? context = null, RefreshAheadCacheOptions? cache = null, bool ownsSource = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        AwsCredentialChainOptions plumbing = AwsCredentialChainOptions.From(context, cache);
        IDisposable? owned = ownsSource ? source as IDisposable : null;
        Func<CancellationToken, ValueTask<string>>? region = source switch
        {
            DefaultAwsCredentialChain chain => chain.ResolveRegionAsync,
            AwsCredentialChain link => link._regionResolver,
            _ => null,
        };

        return IsCached(source)
            ? new AwsCredentialChain(source, plumbing, parent: null, ownedCache: null, owned, region)
            : Cached(source, plumbing, parent: null, owned, region);
    }

    /// <summary>Chains into a role: <c>AssumeRole</c> signed with this link's cached credentials, behind a cache of
    /// its own.</summary>
    /// <param name="roleArn">The role to assume, such as <c>arn:aws:iam::222222222222:role/target</c>.</param>
    /// <param name="configure">Adjusts the session (name, external id, duration, tags, policy, STS); optional.</param>
    /// <returns>The new link; it keeps this link alive and disposes it when it is the last link built from it.</returns>
    /// <exception cref="CredentialConfigurationException">The role ARN or a setting is invalid.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public AwsCredentialChain AssumeRole(string roleArn, Action<AssumeRoleCredentialSourceOptions>? configure = null)
    {
        ThrowIfDisposed();
        AssumeRoleCredentialSourceOptions settings = new() { RoleArn = roleArn };
        configure?.Invoke(settings);
        settings.Sts.HttpClient ??= _options.HttpClient;
        AssumeRoleCredentialSource source = new(_credentials, settings, _options.Environment, _options.TimeProvider, Logger<AssumeRoleCredentialSource>(_options));
        AddLink();
        try
        {
            return Cached(source, _options, parent: this, ownedSource: null, _regionResolver);
        }
        catch
        {
            ReleaseLink();
            throw;
        }
    }

    /// <summary>Bearer tokens for an EKS cluster, signed with this link's credentials (<c>k8s-aws-v1.</c>, as
    /// <c>aws eks get-token</c> prints), behind a cache that refreshes ahead of their 15-minute validity.</summary>
    /// <param name="clusterName">The cluster's name.</param>
    /// <param name="configure">Adjusts the region, STS endpoint and expiry margin; optional. Region default:
    /// <c>AWS_REGION</c>, else <c>us-east-1</c>.</param>
    /// <returns>The cached tokens; <c>(await eks.GetAsync()).Token</c> is the bearer token. A new cache on each call:
    /// call once per cluster and share it. Disposed with this link.</returns>
    /// <exception cref="CredentialConfigurationException">The cluster name, region, endpoint or margin is invalid.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public RefreshAheadCache<AuthToken> EksToken(string clusterName, Action<EksTokenSourceOptions>? configure = null)
    {
        ThrowIfDisposed();
        EksTokenSourceOptions settings = new() { ClusterName = clusterName };
        configure?.Invoke(settings);
        EksTokenSource provider = new(_credentials, settings, _options.Environment, _options.TimeProvider);
        RefreshAheadCache<AuthToken> cache = new(provider, _options.Cache, _options.TimeProvider, Logger<RefreshAheadCache<AuthToken>>(_options));
        Own(cache);
        return cache;
    }

    /// <summary>Gets this link's cached credentials.</summary>
    /// <param name="cancellationToken">Cancels this caller's wait; never a refresh other callers share.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="CredentialSourceUnavailableException">A hop's source does not exist here.</exception>
    /// <exception cref="CredentialConfigurationException">A hop's configuration is invalid.</exception>
    /// <exception cref="CredentialRequestFailedException">A hop's upstream rejected the request or failed.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _disposed) == 0
            ? _credentials.GetAsync(cancellationToken)
            : ValueTask.FromException<AwsCredentials>(new ObjectDisposedException(nameof(AwsCredentialChain)));

    /// <summary>Reports that a service rejected credentials this link handed out, so that the next call fetches new
    /// ones (see <see cref="IInvalidatableCredentialProvider{TCredential}"/>).</summary>
    /// <param name="rejected">The credentials a service rejected.</param>
    /// <returns><see langword="true"/> when they are no longer served; <see langword="false"/> when they are kept (too
    /// recent, this link disposed, or a first hop that cannot drop them, such as the default chain).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is <see langword="null"/>.</exception>
    public bool Invalidate(AwsCredentials rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return Volatile.Read(ref _disposed) == 0
            && _credentials is IInvalidatableCredentialProvider<AwsCredentials> invalidatable
            && invalidatable.Invalidate(rejected);
    }

    /// <summary>Gets a snapshot of this link's cache (state, expiry, last error), for health checks. Reads the clock;
    /// not for the hot path.</summary>
    /// <returns>The snapshot; <see cref="CredentialCacheState.Empty"/> before the first call.</returns>
    public CredentialCacheStatus GetStatus() => _credentials switch
    {
        RefreshAheadCache<AwsCredentials> cache => cache.GetStatus(),
        AwsCredentialChain link => link.GetStatus(),
        DefaultAwsCredentialChain { SelectedCache: { } selected } => selected.GetStatus(),
        _ => new CredentialCacheStatus(HopName, CredentialCacheState.Empty, null, null, null, null, null, 0, null),
    };

    private static bool IsCached(ICredentialProvider<AwsCredentials> source) =>
        source is RefreshAheadCache<AwsCredentials> or DefaultAwsCredentialChain or AwsCredentialChain;

    private static AwsCredentialChain Cached(
        ICredentialProvider<AwsCredentials> source,
        AwsCredentialChainOptions plumbing,
        AwsCredentialChain? parent,
        IDisposable? ownedSource,
        Func<CancellationToken, ValueTask<string>>? regionResolver)
    {
        RefreshAheadCache<AwsCredentials> cache = new(source, plumbing.Cache, plumbing.TimeProvider, Logger<RefreshAheadCache<AwsCredentials>>(plumbing));
        return new AwsCredentialChain(cache, plumbing, parent, cache, ownedSource, regionResolver);
    }

    private static ILogger? Logger<T>(AwsCredentialChainOptions plumbing) => plumbing.LoggerFactory?.CreateLogger<T>();
}
