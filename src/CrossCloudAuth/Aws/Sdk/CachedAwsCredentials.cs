using Amazon.Runtime;
using CrossCloudAuth.Caching;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS SDK credentials (for S3, EKS, STS and every other AWS SDK client) whose hot path is this library's lock-free
/// <see cref="RefreshAheadCache{TCredential}"/> instead of the SDK's <c>RefreshingAWSCredentials</c>.
/// </summary>
/// <remarks>
/// <para>A hit of <see cref="GetCredentials"/> or <see cref="GetCredentialsAsync"/> is the cache's hit (one volatile
/// read and a flag test) plus one reference comparison: no lock, no clock read, no allocation. The SDK's
/// <see cref="ImmutableCredentials"/> and its completed task are built once per rotation and reused.</para>
/// <para>When the cache has nothing usable, <see cref="GetCredentials"/> (the SDK's synchronous path) blocks on the
/// one shared refresh; <see cref="GetCredentialsAsync"/> awaits it.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class CachedAwsCredentials : AWSCredentials, IDisposable
{
    private readonly ICredentialProvider<AwsCredentials> _credentials;
    private readonly IDisposable? _owned;
    private Converted? _current;

    /// <summary>Initializes a new instance of the <see cref="CachedAwsCredentials"/> class over a provider that already
    /// caches, normally a <see cref="RefreshAheadCache{TCredential}"/>. The provider is not disposed with this object.</summary>
    /// <param name="credentials">The cached AWS credentials.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is <see langword="null"/>.</exception>
    public CachedAwsCredentials(ICredentialProvider<AwsCredentials> credentials)
        : this(credentials, owned: null)
    {
    }

    private CachedAwsCredentials(ICredentialProvider<AwsCredentials> credentials, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _owned = owned;
    }

    /// <summary>Gets the expiry of the credentials last handed out, in UTC; <see langword="null"/> before the first call
    /// or for credentials that never expire.</summary>
    public override DateTime? Expiration
    {
        get
        {
            Converted? current = Volatile.Read(ref _current);
            return current is null || !current.Source.IsTemporary ? null : current.Source.ExpiresOn.UtcDateTime;
        }
    }

    /// <summary>Creates AWS SDK credentials over a source, with a <see cref="RefreshAheadCache{TCredential}"/> that this
    /// object owns and disposes.</summary>
    /// <param name="source">The AWS source to cache (a role chain, web identity, instance metadata…).</param>
    /// <param name="options">The cache's options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The cache's clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Receives the cache's refresh events; none when <see langword="null"/>.</param>
    /// <returns>The credentials, to give to AWS SDK clients.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static CachedAwsCredentials Create(
        ICredentialProvider<AwsCredentials> source,
        RefreshAheadCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        RefreshAheadCache<AwsCredentials> cache = new(source, options, timeProvider, logger);
        return new CachedAwsCredentials(cache, cache);
    }

    /// <summary>Gets the current credentials; blocks only when the cache has nothing usable and must refresh.</summary>
    /// <returns>The credentials in the AWS SDK's form.</returns>
    /// <exception cref="CrossCloudAuthException">The refresh failed and nothing usable is cached.</exception>
    public override ImmutableCredentials GetCredentials()
    {
        ValueTask<AwsCredentials> pending = _credentials.GetAsync();
        AwsCredentials credentials = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return Convert(credentials).Credentials;
    }

    /// <summary>Gets the current credentials, completing synchronously with a cached task on a hit.</summary>
    /// <returns>The credentials in the AWS SDK's form.</returns>
    /// <exception cref="CrossCloudAuthException">The refresh failed and nothing usable is cached.</exception>
    public override Task<ImmutableCredentials> GetCredentialsAsync()
    {
        ValueTask<AwsCredentials> pending = _credentials.GetAsync();
        return pending.IsCompletedSuccessfully ? Convert(pending.Result).Task : SlowAsync(pending);
    }

    /// <summary>Disposes the cache this object created, if any.</summary>
    public void Dispose() => _owned?.Dispose();

    private async Task<ImmutableCredentials> SlowAsync(ValueTask<AwsCredentials> pending) =>
        Convert(await pending.ConfigureAwait(false)).Credentials;

    private Converted Convert(AwsCredentials credentials)
    {
        Converted? current = Volatile.Read(ref _current);
        if (current is not null && ReferenceEquals(current.Source, credentials))
        {
            return current;
        }

        Converted converted = new(credentials);
        Volatile.Write(ref _current, converted);
        return converted;
    }

    /// <summary>The SDK form of one set of credentials, built once per rotation.</summary>
    private sealed class Converted
    {
        public Converted(AwsCredentials source)
        {
            Source = source;
            Credentials = new ImmutableCredentials(source.AccessKeyId, source.SecretAccessKey, source.SessionToken);
            Task = System.Threading.Tasks.Task.FromResult(Credentials);
        }

        public AwsCredentials Source { get; }

        public ImmutableCredentials Credentials { get; }

        public Task<ImmutableCredentials> Task { get; }
    }
}
