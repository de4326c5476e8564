using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using CrossCloudAuth;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class CrossCloudAuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default AWS identity as the AWS SDK's <see cref="AWSCredentials"/> and as an
    /// <see cref="ICredentialProvider{TCredential}"/> of <see cref="AwsCredentials"/>, both singletons over refresh-ahead
    /// caches. With no options the source is found as the AWS SDKs find it: a pod whose webhook (EKS IRSA, GKE on AWS)
    /// injected <c>AWS_ROLE_ARN</c> and <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> assumes that role with no configuration at all.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <remarks><para>Existing registrations are kept and repeated calls add nothing; the options
    /// (<see cref="AwsCredentialsOptions"/>) are validated when the host starts. With no source configured, the
    /// source is chosen as <see cref="DefaultAwsCredentialChain"/> chooses it (environment, profile, web identity,
    /// container, instance metadata).</para>
    /// <para>AWS SDK clients registered with <c>AddAWSService&lt;T&gt;()</c> (AWSSDK.Extensions.NETCore.Setup) use these
    /// credentials with no other line: the default identity also registers the <see cref="AWSOptions"/> those clients
    /// read, built from the <c>AWS</c> section of <see cref="IConfiguration"/> when there is one, with
    /// <see cref="AWSOptions.Credentials"/> set to these credentials and <see cref="AWSOptions.Region"/> (when unset)
    /// to <see cref="AwsCredentialsOptions.Region"/>, <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c>. An
    /// <see cref="AWSOptions"/> the application registered first (<c>AddDefaultAWSOptions</c>) is kept: set its
    /// <c>Credentials</c> to <c>sp.GetRequiredService&lt;AWSCredentials&gt;()</c>.</para></remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddAwsCredentials(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddAwsIdentity(services, Options.Options.DefaultName);
    }

    /// <summary>Registers the default AWS identity (see <see cref="AddAwsCredentials(IServiceCollection)"/>) and configures
    /// its options, such as a role chain into another account.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddAwsCredentials(this IServiceCollection services, Action<AwsCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddAwsCredentials(services, Options.Options.DefaultName, configure);
    }

    /// <summary>Registers the default AWS identity (see <see cref="AddAwsCredentials(IServiceCollection)"/>) with options
    /// read from a configuration section, such as <c>configuration.GetSection("CrossCloudAuth:Aws")</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section whose keys are named after the <see cref="AwsCredentialsOptions"/> properties.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddAwsCredentials(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddAwsCredentials(services, Options.Options.DefaultName, configuration);
    }

    /// <summary>Registers a named AWS identity: its <see cref="AWSCredentials"/> and provider are keyed by
    /// <paramref name="name"/>, and a Google identity of the same name with
    /// <see cref="GoogleFromAwsIdentityOptions.UseAwsCredentials"/> signs its subject tokens with it. The empty name is
    /// the default identity, registered without a key.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The identity's name.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddAwsCredentials(this IServiceCollection services, string name, Action<AwsCredentialsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        AddAwsIdentity(services, name);
        services.Configure(name, configure);
        return services;
    }

    /// <summary>Registers a named AWS identity (see <see cref="AddAwsCredentials(IServiceCollection, string, Action{AwsCredentialsOptions})"/>)
    /// with options read from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The identity's name.</param>
    /// <param name="configuration">The section whose keys are named after the <see cref="AwsCredentialsOptions"/> properties.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddAwsCredentials(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        AddAwsIdentity(services, name);
        services.Configure<AwsCredentialsOptions>(name, options => ConfigurationBinding.Bind(configuration, options));
        return services;
    }

    private static IServiceCollection AddAwsIdentity(IServiceCollection services, string name)
    {
        AddCore(services);
        if (!TryAddMarker(services, new IdentityMarker(IdentityKind.Aws, name)))
        {
            return services;
        }

        services.AddOptions<AwsCredentialsOptions>(name).ValidateOnStart();
        if (name.Length == 0)
        {
            services.TryAddSingleton<AWSCredentials>(sp => Aws(sp, name).SdkCredentials);
            services.TryAddSingleton(sp => Aws(sp, name).SdkCredentials);
            services.TryAddSingleton(sp => Aws(sp, name).Provider);
            services.TryAddSingleton(CreateAwsOptions);
        }
        else
        {
            services.TryAddKeyedSingleton<AWSCredentials>(name, (sp, _) => Aws(sp, name).SdkCredentials);
            services.TryAddKeyedSingleton(name, (sp, _) => Aws(sp, name).SdkCredentials);
            services.TryAddKeyedSingleton(name, (sp, _) => Aws(sp, name).Provider);
        }

        return services;
    }

    /// <summary>
    /// Registers cached bearer tokens (<c>k8s-aws-v1.…</c>) for the Kubernetes API of an EKS cluster, signed with a
    /// registered AWS identity (registered by this call when it is not yet): a singleton
    /// <see cref="RefreshAheadCache{TCredential}"/> of <see cref="AuthToken"/> keyed by the cluster name
    /// (<c>GetRequiredKeyedService&lt;RefreshAheadCache&lt;AuthToken&gt;&gt;("my-cluster")</c>). Tokens are refreshed
    /// ahead of their 15-minute validity.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="clusterName">The EKS cluster's name.</param>
    /// <param name="configure">Adjusts the token options (region, endpoint, margin); optional.</param>
    /// <param name="awsCredentialsName">The name of the AWS identity that signs, such as a role chain into the
    /// cluster's account (see <see cref="AddAwsCredentials(IServiceCollection, string, Action{AwsCredentialsOptions})"/>).
    /// Default: the default identity.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="clusterName"/> or <paramref name="awsCredentialsName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is empty.</exception>
    public static IServiceCollection AddEksToken(this IServiceCollection services, string clusterName, Action<EksTokenSourceOptions>? configure = null, string awsCredentialsName = "")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        ArgumentNullException.ThrowIfNull(awsCredentialsName);
        AddAwsIdentity(services, awsCredentialsName);
        if (TryAddMarker(services, new IdentityMarker(IdentityKind.Eks, clusterName, awsCredentialsName)))
        {
            services.AddOptions<EksTokenSourceOptions>(clusterName)
                .Configure(o => o.ClusterName ??= clusterName)
                .Validate(
                    o => !string.IsNullOrWhiteSpace(o.ClusterName) && o.ClusterName.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && o.ExpiryMargin >= TimeSpan.Zero && o.ExpiryMargin < TimeSpan.FromMinutes(14),
                    $"EKS token for cluster '{clusterName}': ClusterName must be the cluster's name (letters, digits, '-' and '_') and ExpiryMargin between 00:00:00 and 00:14:00.")
                .ValidateOnStart();
            services.TryAddKeyedSingleton(clusterName, (sp, _) => sp.GetRequiredService<AwsIdentityRegistry>().GetEksToken(clusterName, awsCredentialsName));
        }

        if (configure is not null)
        {
            services.Configure(clusterName, configure);
        }

        return services;
    }

    /// <summary>The <see cref="AWSOptions"/> that <c>AddAWSService&lt;T&gt;()</c> reads: the application's <c>AWS</c>
    /// configuration section, if any, with the default identity's cached credentials and its region.</summary>
    private static AWSOptions CreateAwsOptions(IServiceProvider services)
    {
        AWSOptions options = services.GetService<IConfiguration>()?.GetAWSOptions() ?? new AWSOptions();
        options.Credentials = Aws(services, Options.Options.DefaultName).SdkCredentials;
        if (options.Region is null && string.IsNullOrEmpty(options.DefaultClientConfig.ServiceURL))
        {
            ISystemEnvironment environment = services.GetService<ISystemEnvironment>() ?? SystemEnvironment.Instance;
            string? configured = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AwsCredentialsOptions>>().Get(Options.Options.DefaultName).Region;
            string? region = string.IsNullOrWhiteSpace(configured) ? AwsRegion.FromEnvironment(environment, "aws-sdk:AWSOptions") : configured.Trim();
            if (region is not null)
            {
                options.Region = RegionEndpoint.GetBySystemName(region);
            }
        }

        return options;
    }

    private static AwsIdentity Aws(IServiceProvider services, string name) =>
        services.GetRequiredService<AwsIdentityRegistry>().Get(name);
}
