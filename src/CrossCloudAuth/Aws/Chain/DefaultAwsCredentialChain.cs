using System.Diagnostics.CodeAnalysis;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Aws;

/// <summary>
/// The AWS credentials a workload has here, found as the AWS SDKs find them and cached: the one-line answer to
/// "which AWS identity am I?" outside dependency injection. Steps, in the AWS SDKs' order:
/// <list type="number">
/// <item><description>environment: <c>AWS_ACCESS_KEY_ID</c> / <c>AWS_SECRET_ACCESS_KEY</c> / <c>AWS_SESSION_TOKEN</c>;</description></item>
/// <item><description>profile: <c>AWS_PROFILE</c>, otherwise <c>[default]</c>, from <c>~/.aws/credentials</c> and
/// <c>~/.aws/config</c> (or <c>AWS_SHARED_CREDENTIALS_FILE</c> / <c>AWS_CONFIG_FILE</c>): static keys, <c>role_arn</c>
/// with <c>source_profile</c>, <c>web_identity_token_file</c> or <c>credential_source</c>;</description></item>
/// <item><description>web identity: <c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> (EKS IRSA, the GKE-on-AWS webhook);</description></item>
/// <item><description>container: <c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c> (ECS task role) or
/// <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> (EKS Pod Identity);</description></item>
/// <item><description>EC2 instance metadata (IMDSv2), unless <c>AWS_EC2_METADATA_DISABLED=true</c>.</description></item>
/// </list>
/// </summary>
/// <remarks>
/// <para><b>The choice is made once.</b> At the first call, the first step that <em>applies</em> (its variables are
/// set, its profile exists) is chosen and kept for the lifetime of this object, as the AWS SDKs and Azure's
/// <c>DefaultAzureCredential</c> do: a later failure of the chosen source surfaces as that source's error (retried
/// by the cache) and never falls through to another identity. Choosing reads only variables and the profile files;
/// if it fails (an unreadable file, a named profile that does not exist) nothing is chosen and the next call tries
/// again. Each step that does not apply writes one log line saying why (never a value).</para>
/// <para><b>Cached.</b> The chosen source sits behind a <see cref="RefreshAheadCache{TCredential}"/> owned by this
/// object; a profile's intermediate hops (<c>source_profile</c> roles) have their own caches. Share one instance per
/// process; <see cref="SdkCredentials"/> hands the same cache to AWS SDK clients.</para>
/// <para>Profiles this library does not resolve itself (<c>credential_process</c>, SSO, <c>mfa_serial</c>) are given to
/// the AWS SDK's profile resolver (<c>CredentialProfileStoreChain</c>, which reads the files itself) behind the same
/// cache, unless <see cref="DefaultAwsCredentialChainOptions.UseAwsSdkForOtherProfiles"/> is off.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed partial class DefaultAwsCredentialChain : ICredentialProvider<AwsCredentials>, IDisposable
{
    private const string ChainHop = "aws-default-chain";

    private readonly DefaultAwsCredentialChainOptions _options;
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient? _httpClient;
    private readonly SemaphoreSlim _selecting = new(1, 1);
    private RefreshAheadCache<AwsCredentials>? _selected;
    private IDisposable? _ownedSource;
    private Ec2InstanceMetadataCredentialSource? _instanceMetadata;
    private string? _profileRegion;
    private CachedAwsCredentials? _sdkCredentials;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="DefaultAwsCredentialChain"/> class. Nothing is read until
    /// the first call.</summary>
    /// <param name="options">The steps' settings; the environment's when <see langword="null"/>. Read at the first call.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    public DefaultAwsCredentialChain(
        DefaultAwsCredentialChainOptions? options = null,
        CredentialContext? context = null)
        : this(options, context?.Environment, context?.TimeProvider, context?.Logger<DefaultAwsCredentialChain>(), context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal DefaultAwsCredentialChain(
        DefaultAwsCredentialChainOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        HttpClient? httpClient = null)
    {
        _httpClient = httpClient;
        _options = options ?? new DefaultAwsCredentialChainOptions();
        _environment = environment ?? SystemEnvironment.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the chosen source's hop name, or <c>aws-default-chain</c> before the first call.</summary>
    public string HopName => Volatile.Read(ref _selected)?.HopName ?? ChainHop;

    /// <summary>Gets these credentials as AWS SDK <see cref="AWSCredentials"/> for any AWS SDK client
    /// (<c>new AmazonS3Client(chain.SdkCredentials, config)</c>), reading this chain's cache. Disposed with this chain.</summary>
    public CachedAwsCredentials SdkCredentials
    {
        get
        {
            CachedAwsCredentials? existing = Volatile.Read(ref _sdkCredentials);
            if (existing is not null)
            {
                return existing;
            }

            CachedAwsCredentials created = new(this);
            return Interlocked.CompareExchange(ref _sdkCredentials, created, null) ?? created;
        }
    }

    /// <summary>Gets the cached credentials of the chosen source, choosing it at the first call.</summary>
    /// <param name="cancellationToken">Cancels this caller's wait; never a refresh other callers share.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="CredentialSourceUnavailableException">No step applies here, or the chosen source found nothing.</exception>
    /// <exception cref="CredentialConfigurationException">A named profile does not exist, or the chosen source's
    /// settings are invalid.</exception>
    /// <exception cref="CredentialRequestFailedException">The chosen source's upstream rejected the request or failed.</exception>
    /// <exception cref="ObjectDisposedException">This chain has been disposed.</exception>
    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        RefreshAheadCache<AwsCredentials>? selected = Volatile.Read(ref _selected);
        return selected is not null ? selected.GetAsync(cancellationToken) : SelectThenGetAsync(cancellationToken);
    }

    /// <summary>Disposes the cache and the chosen source.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Volatile.Read(ref _selected)?.Dispose();
        Volatile.Read(ref _ownedSource)?.Dispose();
    }

    /// <summary>The chosen source's cache, or <see langword="null"/> before the choice.</summary>
    internal RefreshAheadCache<AwsCredentials>? SelectedCache => Volatile.Read(ref _selected);

    /// <summary>The region the chosen source knows: instance metadata's, or the profile's <c>region</c>.</summary>
    internal async ValueTask<string> ResolveRegionAsync(CancellationToken cancellationToken)
    {
        await EnsureSelectedAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _instanceMetadata) is { } metadata)
        {
            return await metadata.GetRegionAsync(cancellationToken).ConfigureAwait(false);
        }

        return Volatile.Read(ref _profileRegion)
            ?? throw new CredentialSourceUnavailableException(HopName, "No AWS region is known: set AWS_REGION (or the profile's region, or a Region option).");
    }

    private async ValueTask<AwsCredentials> SelectThenGetAsync(CancellationToken cancellationToken)
    {
        RefreshAheadCache<AwsCredentials> selected = await EnsureSelectedAsync(cancellationToken).ConfigureAwait(false);
        return await selected.GetAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<RefreshAheadCache<AwsCredentials>> EnsureSelectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _selected) is { } done)
        {
            return done;
        }

        await _selecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _selected) is { } raced)
            {
                return raced;
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            ICredentialProvider<AwsCredentials> source = await ChooseAsync(cancellationToken).ConfigureAwait(false);
            RefreshAheadCache<AwsCredentials> cache = new(source, _options.Cache, _timeProvider, _logger);
            Volatile.Write(ref _selected, cache);
            if (Volatile.Read(ref _disposed) != 0)
            {
                cache.Dispose();
                Volatile.Read(ref _ownedSource)?.Dispose();
            }

            return cache;
        }
        finally
        {
            _selecting.Release();
        }
    }

    private async ValueTask<ICredentialProvider<AwsCredentials>> ChooseAsync(CancellationToken cancellationToken)
    {
        // 1. Environment.
        if (EnvironmentCredentialSource.IsConfigured(_environment))
        {
            return Chosen("environment", new EnvironmentCredentialSource(_environment));
        }

        Log.Skipped(_logger, "environment", "AWS_ACCESS_KEY_ID is not set");

        // 2. Profile: AWS_PROFILE, otherwise [default].
        AwsProfileCredentialSource profile = new(_options.Profile, _environment, _timeProvider, _logger, _httpClient);
        AwsProfileCredentialSource.ProfileProbe probe;
        try
        {
            probe = await profile.ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            profile.Dispose();
            throw;
        }

        string profileHop = "aws-profile:" + probe.ProfileName;
        switch (probe.Kind)
        {
            case AwsProfileCredentialSource.ProfileProbeKind.Supported:
                Volatile.Write(ref _profileRegion, probe.Region);
                Volatile.Write(ref _ownedSource, profile);
                return Chosen("profile", profile);
            case AwsProfileCredentialSource.ProfileProbeKind.NeedsAwsSdk:
                profile.Dispose();
                if (!_options.UseAwsSdkForOtherProfiles)
                {
                    throw new CredentialConfigurationException(profileHop, $"The {probe.Reason}, which this library does not resolve itself and UseAwsSdkForOtherProfiles is off. Turn it on, or use a profile with static keys, role_arn, web_identity_token_file or credential_process.");
                }

                if (!IsAwsSdkProfileFallbackSupported)
                {
                    throw new CredentialConfigurationException(profileHop, $"The {probe.Reason}, which this library does not resolve itself, and this application was built without the AWS SDK's profile resolver ({AwsSdkProfileFallbackSwitch} is off). Use a profile with static keys, role_arn, web_identity_token_file or credential_process (for SSO, e.g. credential_process = aws configure export-credentials --profile NAME --format process).");
                }

                Volatile.Write(ref _profileRegion, probe.Region);
                return Chosen("profile (AWS SDK)", FromAwsSdkProfile(probe));
            default:
                profile.Dispose();
                if (probe.NamedExplicitly)
                {
                    // As in the AWS SDKs, a profile asked for by name that does not exist stops the chain.
                    throw new CredentialConfigurationException(profileHop, $"The profile '{probe.ProfileName}' (AWS_PROFILE or ProfileName) is not in '{probe.CredentialsPath}' or '{probe.ConfigPath}'. Fix the name, or unset AWS_PROFILE to let the chain go on.");
                }

                if (_logger.IsEnabled(LogLevel.Information))
                {
                    string reason = $"no [{probe.ProfileName}] profile in '{probe.CredentialsPath}' or '{probe.ConfigPath}' and AWS_PROFILE is not set";
                    Log.Skipped(_logger, "profile", reason);
                }

                break;
        }

        // 3. Web identity.
        bool webIdentityOptions = !string.IsNullOrWhiteSpace(_options.WebIdentity.RoleArn) && !string.IsNullOrWhiteSpace(_options.WebIdentity.WebIdentityTokenFile);
        if (webIdentityOptions || WebIdentityCredentialSource.IsConfigured(_environment))
        {
            return Chosen("web identity", new WebIdentityCredentialSource(_options.WebIdentity, _environment, _timeProvider, _logger, profileRegion: null, _httpClient));
        }

        Log.Skipped(_logger, "web identity", "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not both set");

        // 4. Container (ECS task role, EKS Pod Identity).
        bool containerOptions = !string.IsNullOrWhiteSpace(_options.Container.RelativeUri) || _options.Container.FullUri is not null;
        if (containerOptions || ContainerCredentialSource.IsConfigured(_environment))
        {
            return Chosen("container", new ContainerCredentialSource(_options.Container, _environment, _timeProvider, _logger, random: null, _httpClient));
        }

        Log.Skipped(_logger, "container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");

        // 5. Instance metadata.
        if (string.Equals(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.Ec2MetadataDisabled)?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            Log.Skipped(_logger, "instance metadata", "AWS_EC2_METADATA_DISABLED is true");
            throw new CredentialSourceUnavailableException(ChainHop, "No AWS credentials here: AWS_ACCESS_KEY_ID is not set, there is no [default] profile and AWS_PROFILE is not set, AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE and the container credential variables are not set, and AWS_EC2_METADATA_DISABLED is true. Set one of them, or run where one applies.");
        }

        Ec2InstanceMetadataCredentialSource metadata = new(_options.InstanceMetadata, _environment, _timeProvider, _logger, random: null, _httpClient);
        Volatile.Write(ref _instanceMetadata, metadata);
        return Chosen("instance metadata", metadata);
    }

    /// <summary>The name of the feature switch behind <see cref="IsAwsSdkProfileFallbackSupported"/>.</summary>
    internal const string AwsSdkProfileFallbackSwitch = "CrossCloudAuth.Aws.AwsSdkProfileFallback.IsSupported";

    /// <summary>Gets whether profiles this library does not resolve itself (SSO, MFA) may go to the AWS SDK's resolver.
    /// On unless the application turns the switch off; an application that does so with
    /// <c>&lt;RuntimeHostConfigurationOption Include="CrossCloudAuth.Aws.AwsSdkProfileFallback.IsSupported" Value="false" Trim="true" /&gt;</c>
    /// (the <c>crosscloud</c> Native AOT executable) is trimmed of the SDK's credential providers, about 1.4 MB of a
    /// Native AOT image and 2 ms of its start-up.</summary>
    [FeatureSwitchDefinition(AwsSdkProfileFallbackSwitch)]
    internal static bool IsAwsSdkProfileFallbackSupported { get; } = !AppContext.TryGetSwitch(AwsSdkProfileFallbackSwitch, out bool enabled) || enabled;

    private ICredentialProvider<AwsCredentials> Chosen(string step, ICredentialProvider<AwsCredentials> source)
    {
        Log.Chosen(_logger, step, source.HopName);
        return source;
    }

    private static AwsSdkCredentialSource FromAwsSdkProfile(AwsProfileCredentialSource.ProfileProbe probe)
    {
        string hop = "aws-sdk-profile:" + probe.ProfileName;
        AWSCredentials? credentials;
        try
        {
            CredentialProfileStoreChain store = new(probe.CredentialsPath);
            if (!store.TryGetAWSCredentials(probe.ProfileName, out credentials) || credentials is null)
            {
                throw new CredentialConfigurationException(hop, $"The AWS SDK could not build credentials for the profile '{probe.ProfileName}' ({probe.Reason}) from '{probe.CredentialsPath}' / '{probe.ConfigPath}'. Check the profile with 'aws configure list --profile {probe.ProfileName}'.");
            }
        }
        catch (Exception error) when (error is AmazonClientException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new CredentialConfigurationException(hop, $"The AWS SDK could not read the profile '{probe.ProfileName}' ({error.GetType().Name}). Check the profile with 'aws configure list --profile {probe.ProfileName}'.", error);
        }

        return new AwsSdkCredentialSource(credentials, hop);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "AWS default credential chain: skipped {Step}: {Reason}.")]
        public static partial void Skipped(ILogger logger, string step, string reason);

        [LoggerMessage(EventId = 151, Level = LogLevel.Information, Message = "AWS default credential chain: using {Step} ({HopName}); kept for the lifetime of the chain.")]
        public static partial void Chosen(ILogger logger, string step, string hopName);
    }
}
