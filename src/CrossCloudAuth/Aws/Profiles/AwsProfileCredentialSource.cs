using System.Globalization;
using System.Text;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS credentials described by a named profile of the shared config files (<c>~/.aws/config</c>,
/// <c>~/.aws/credentials</c>), as the AWS CLI reads them: static keys, <c>role_arn</c> with
/// <c>web_identity_token_file</c>, <c>source_profile</c> (chains of any length) or <c>credential_source</c>
/// (<c>Environment</c>, <c>Ec2InstanceMetadata</c>, <c>EcsContainer</c>), or <c>credential_process</c> (a command that
/// prints the credentials, run through <c>/bin/sh -c</c> within one minute), with <c>role_session_name</c>,
/// <c>external_id</c>, <c>duration_seconds</c> and <c>region</c>.
/// </summary>
/// <remarks>
/// <para>The files are read at the first call and the profile chain is built once; each intermediate hop of the chain
/// is cached (and disposed with this object), the final hop is not: wrap this source in a
/// <see cref="RefreshAheadCache{TCredential}"/> like any other. If resolution fails, the next call reads the files again.</para>
/// <para>A named profile that does not exist, a <c>source_profile</c> cycle and a role without a source are
/// configuration errors that list what was found; the implicit <c>default</c> profile missing means this source is
/// unavailable. SSO and MFA profiles are not resolved here: <see cref="DefaultAwsCredentialChain"/>
/// hands them to the AWS SDK's resolver, or feed such credentials through <see cref="AwsSdkCredentialSource"/>.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed partial class AwsProfileCredentialSource : ICredentialProvider<AwsCredentials>, IDisposable
{
    private const int MaxFileBytes = 1024 * 1024;

    private readonly AwsProfileCredentialSourceOptions _options;
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient? _httpClient;
    private readonly IProcessRunner? _processRunner;
    private readonly string _profileName;
    private readonly bool _profileNamedExplicitly;
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private readonly List<IDisposable> _owned = [];
    private ICredentialProvider<AwsCredentials>? _resolved;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="AwsProfileCredentialSource"/> class.</summary>
    /// <param name="options">The profile and files; unset values come from the environment. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    public AwsProfileCredentialSource(
        AwsProfileCredentialSourceOptions? options = null,
        CredentialContext? context = null)
        : this(options, context?.Environment, context?.TimeProvider, context?.Logger<AwsProfileCredentialSource>(), context?.HttpClient)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal AwsProfileCredentialSource(
        AwsProfileCredentialSourceOptions? options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        HttpClient? httpClient = null,
        IProcessRunner? processRunner = null)
    {
        _httpClient = httpClient;
        _processRunner = processRunner;
        _options = options ?? new AwsProfileCredentialSourceOptions();
        _environment = environment ?? SystemEnvironment.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;

        string? named = Blank(_options.ProfileName) ?? Blank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.Profile));
        _profileNamedExplicitly = named is not null;
        _profileName = named ?? "default";
        HopName = "aws-profile:" + _profileName;
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Gets the credentials of the profile, resolving its chain at the first call.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The credentials of the profile's final hop.</returns>
    /// <exception cref="CredentialSourceUnavailableException">No profile was named and there is no <c>default</c> profile,
    /// or a hop's credential does not exist here.</exception>
    /// <exception cref="CredentialConfigurationException">The named profile is missing, the chain has a cycle, a role
    /// has no source, a value is invalid, or the profile uses an unsupported kind of credentials.</exception>
    /// <exception cref="CredentialRequestFailedException">A hop of the chain was rejected or failed.</exception>
    /// <exception cref="ObjectDisposedException">This source has been disposed.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ICredentialProvider<AwsCredentials> resolved = Volatile.Read(ref _resolved) ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        return await resolved.GetAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the caches of the chain's intermediate hops.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_owned)
        {
            foreach (IDisposable owned in _owned)
            {
                owned.Dispose();
            }

            _owned.Clear();
        }

        _resolving.Dispose();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async ValueTask<ICredentialProvider<AwsCredentials>> ResolveAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _resolved) is { } done)
            {
                return done;
            }

            ProfileFiles files = await LoadFilesAsync(cancellationToken).ConfigureAwait(false);
            if (!files.Profiles.TryGetValue(_profileName, out Dictionary<string, string>? top))
            {
                string found = files.Profiles.Count == 0 ? "no profiles" : "profiles: " + string.Join(", ", files.Profiles.Keys.Order(StringComparer.Ordinal));
                string where = $"'{files.ConfigPath}' or '{files.CredentialsPath}' ({found})";
                if (!_profileNamedExplicitly)
                {
                    throw new CredentialSourceUnavailableException(HopName, $"No 'default' profile in {where}. Set AWS_PROFILE or ProfileName, or use another AWS source.");
                }

                throw new CredentialConfigurationException(HopName, $"The profile '{_profileName}' is not in {where}. Check AWS_PROFILE / ProfileName and AWS_CONFIG_FILE.");
            }

            string? region = top.GetValueOrDefault("region");
            AwsStsOptions sts = _options.Sts.Clone();
            sts.ProfileUseFipsEndpoint = AwsEnvironmentVariables.Flag(top.GetValueOrDefault("use_fips_endpoint"), "use_fips_endpoint", HopName);
            sts.ProfileUseDualStackEndpoint = AwsEnvironmentVariables.Flag(top.GetValueOrDefault("use_dualstack_endpoint"), "use_dualstack_endpoint", HopName);
            ICredentialProvider<AwsCredentials> built = Build(files, _profileName, [], Blank(region), sts);
            Log.Resolved(_logger, _profileName, built.HopName);
            Volatile.Write(ref _resolved, built);
            return built;
        }
        finally
        {
            _resolving.Release();
        }
    }

    private ICredentialProvider<AwsCredentials> Build(ProfileFiles files, string name, List<string> path, string? region, AwsStsOptions sts)
    {
        string hop = "aws-profile:" + name;
        if (!files.Profiles.TryGetValue(name, out Dictionary<string, string>? profile))
        {
            throw new CredentialConfigurationException(hop, $"The profile '{path[^1]}' names source_profile '{name}', which is not in '{files.ConfigPath}' or '{files.CredentialsPath}'.");
        }

        path.Add(name);
        string? roleArn = Blank(profile.GetValueOrDefault("role_arn"));
        if (roleArn is null)
        {
            return (ICredentialProvider<AwsCredentials>?)StaticKeys(profile, hop)
                ?? CredentialProcess(profile, hop)
                ?? throw new CredentialConfigurationException(hop, Unsupported(profile) ?? $"The profile '{name}' has neither role_arn, aws_access_key_id / aws_secret_access_key nor credential_process.");
        }

        string? sessionName = Blank(profile.GetValueOrDefault("role_session_name"));
        TimeSpan? duration = Duration(profile, hop);
        string? webIdentityTokenFile = Blank(profile.GetValueOrDefault("web_identity_token_file"));
        string? sourceProfile = Blank(profile.GetValueOrDefault("source_profile"));
        string? credentialSource = Blank(profile.GetValueOrDefault("credential_source"));
        if (Blank(profile.GetValueOrDefault("mfa_serial")) is not null)
        {
            throw new CredentialConfigurationException(hop, $"The profile '{name}' needs an MFA code (mfa_serial), which a workload cannot type. Use a role without an MFA condition.");
        }

        if (webIdentityTokenFile is not null)
        {
            return new WebIdentityCredentialSource(
                new WebIdentityCredentialSourceOptions { RoleArn = roleArn, WebIdentityTokenFile = webIdentityTokenFile, RoleSessionName = sessionName, Duration = duration, Sts = sts },
                _environment,
                _timeProvider,
                _logger,
                region,
                _httpClient);
        }

        if (sourceProfile is not null && credentialSource is not null)
        {
            throw new CredentialConfigurationException(hop, $"The profile '{name}' sets both source_profile and credential_source; keep one.");
        }

        ICredentialProvider<AwsCredentials> caller;
        if (sourceProfile is not null)
        {
            if (sourceProfile == name)
            {
                // A profile may name itself to use its own static keys as the caller.
                caller = StaticKeys(profile, hop) ?? throw new CredentialConfigurationException(hop, $"The profile '{name}' names itself as source_profile but has no aws_access_key_id / aws_secret_access_key.");
            }
            else if (path.Contains(sourceProfile))
            {
                throw new CredentialConfigurationException(hop, $"The profiles' source_profile settings form a cycle: {string.Join(" -> ", path)} -> {sourceProfile}. Make the first hop a profile with web_identity_token_file, credential_source or static keys.");
            }
            else
            {
                caller = Cached(Build(files, sourceProfile, path, region, sts));
            }
        }
        else if (credentialSource is not null)
        {
            caller = credentialSource switch
            {
                "Environment" => new EnvironmentCredentialSource(_environment),
                "Ec2InstanceMetadata" => Cached(new Ec2InstanceMetadataCredentialSource(_options.InstanceMetadata, _environment, _timeProvider, _logger, random: null, _httpClient)),
                "EcsContainer" => Cached(new ContainerCredentialSource(_options.Container, _environment, _timeProvider, _logger, random: null, _httpClient)),
                _ => throw new CredentialConfigurationException(hop, $"The profile '{name}' has credential_source = {credentialSource}; use Environment, Ec2InstanceMetadata or EcsContainer."),
            };
        }
        else
        {
            throw new CredentialConfigurationException(hop, $"The profile '{name}' has role_arn but nothing to assume it with: add source_profile, credential_source or web_identity_token_file.");
        }

        AssumeRoleCredentialSourceOptions assume = new()
        {
            RoleArn = roleArn,
            RoleSessionName = sessionName,
            ExternalId = Blank(profile.GetValueOrDefault("external_id")),
            Duration = duration,
            Sts = sts,
        };
        return new AssumeRoleCredentialSource(caller, assume, _environment, _timeProvider, _logger, region, _httpClient);
    }

    private ICredentialProvider<AwsCredentials> Cached(ICredentialProvider<AwsCredentials> source)
    {
        if (source is StaticCredentialSource or EnvironmentCredentialSource)
        {
            return source;
        }

        RefreshAheadCache<AwsCredentials> cache = new(source, options: null, _timeProvider, _logger);
        lock (_owned)
        {
            _owned.Add(cache);
        }

        return cache;
    }

    private static StaticCredentialSource? StaticKeys(Dictionary<string, string> profile, string hop)
    {
        string? keyId = Blank(profile.GetValueOrDefault("aws_access_key_id"));
        if (keyId is null)
        {
            return null;
        }

        string secret = Blank(profile.GetValueOrDefault("aws_secret_access_key"))
            ?? throw new CredentialConfigurationException(hop, "The profile has aws_access_key_id but no aws_secret_access_key.");
        return new StaticCredentialSource(new AwsCredentials(keyId, secret, Blank(profile.GetValueOrDefault("aws_session_token"))), hop);
    }

    private CredentialProcessSource? CredentialProcess(Dictionary<string, string> profile, string hop) =>
        Blank(profile.GetValueOrDefault("credential_process")) is string command
            ? new CredentialProcessSource(command, hop, _timeProvider, _processRunner)
            : null;

    private static string? Unsupported(Dictionary<string, string> profile)
    {
        if (profile.ContainsKey("sso_session") || profile.ContainsKey("sso_start_url"))
        {
            return "SSO profiles are not resolved by this library (they need an interactive 'aws sso login'). Use a profile with credential_process = aws configure export-credentials --profile NAME --format process, or resolve them with the AWS SDK and pass the result to AwsSdkCredentialSource.";
        }

        return null;
    }

    private static TimeSpan? Duration(Dictionary<string, string> profile, string hop)
    {
        string? value = Blank(profile.GetValueOrDefault("duration_seconds"));
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new CredentialConfigurationException(hop, $"duration_seconds '{value}' is not a whole number of seconds.");
    }

    private async ValueTask<ProfileFiles> LoadFilesAsync(CancellationToken cancellationToken)
    {
        string? home = _environment.HomeDirectory;
        string configPath = ExpandHome(Blank(_options.ConfigFile) ?? Blank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.ConfigFile)) ?? "~/.aws/config", home);
        string credentialsPath = ExpandHome(Blank(_options.CredentialsFile) ?? Blank(_environment.GetEnvironmentVariable(AwsEnvironmentVariables.SharedCredentialsFile)) ?? "~/.aws/credentials", home);

        Dictionary<string, Dictionary<string, string>> profiles = new(StringComparer.Ordinal);
        string? config = await ReadOptionalAsync(configPath, cancellationToken).ConfigureAwait(false);
        if (config is not null)
        {
            Merge(profiles, AwsSharedConfigFile.Parse(config, isConfigFile: true));
        }

        string? credentials = await ReadOptionalAsync(credentialsPath, cancellationToken).ConfigureAwait(false);
        if (credentials is not null)
        {
            // The credentials file wins over the config file for the same key, as in the AWS CLI.
            Merge(profiles, AwsSharedConfigFile.Parse(credentials, isConfigFile: false));
        }

        return new ProfileFiles(configPath, credentialsPath, profiles);
    }

    private static void Merge(Dictionary<string, Dictionary<string, string>> into, Dictionary<string, Dictionary<string, string>> from)
    {
        foreach ((string name, Dictionary<string, string> values) in from)
        {
            if (!into.TryGetValue(name, out Dictionary<string, string>? existing))
            {
                into[name] = values;
                continue;
            }

            foreach ((string key, string value) in values)
            {
                existing[key] = value;
            }
        }
    }

    private async ValueTask<string?> ReadOptionalAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            byte[] bytes = await _environment.ReadFileAsync(path, MaxFileBytes, cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception error) when (error is UnauthorizedAccessException or IOException)
        {
            throw new CredentialConfigurationException("file:" + path, $"The AWS shared config file could not be read ({error.GetType().Name}). Check its permissions.", error);
        }
    }

    private static string ExpandHome(string path, string? home)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            return home is null ? path : Path.Join(home, path.Length > 1 ? path[2..] : string.Empty);
        }

        return path;
    }

    private sealed record ProfileFiles(string ConfigPath, string CredentialsPath, Dictionary<string, Dictionary<string, string>> Profiles);

    private static partial class Log
    {
        [LoggerMessage(EventId = 140, Level = LogLevel.Debug, Message = "The AWS profile {ProfileName} resolves to {HopName}.")]
        public static partial void Resolved(ILogger logger, string profileName, string hopName);
    }
}
