using CrossCloudAuth;
using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Diagnostics;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Http;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers this library's credentials in an <see cref="IServiceCollection"/>: Google Cloud credentials from AWS (and
/// Kubernetes) identities, and AWS credentials from web identity and role chains.
/// </summary>
public static partial class CrossCloudAuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default Google identity, configured by the <c>external_account</c> file that
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c> names (as <c>gcloud iam workload-identity-pools create-cred-config</c>
    /// writes it), with these singletons: <see cref="GoogleFederatedCredential"/> (access tokens, and ID tokens for any
    /// audience through <see cref="GoogleFederatedCredential.GetIdTokenAsync"/>), <see cref="ICredentialProvider{TCredential}"/>
    /// of <see cref="AuthToken"/>, the Google.Apis.Auth <see cref="ICredential"/> (with the scopes and quota project, so
    /// that Google Cloud client builders resolving it from the container work unchanged) and
    /// <see cref="GoogleApisCredential"/>; the transient <see cref="GoogleBearerTokenHandler"/> for
    /// <c>AddHttpClient(...).AddHttpMessageHandler&lt;GoogleBearerTokenHandler&gt;()</c>; and <see cref="CredentialHealth"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <remarks>
    /// <para>Existing registrations are kept and repeated calls add nothing. The options
    /// (<see cref="GoogleFromAwsIdentityOptions"/>) are validated when the host starts, and the credential is built when
    /// it is first resolved. The container's <see cref="TimeProvider"/>, <c>ILoggerFactory</c> and
    /// <c>ISystemEnvironment</c> are used when registered.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddGoogleFromAwsIdentity(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddGoogleIdentity(services, Options.Options.DefaultName);
    }

    /// <summary>Registers the default Google identity (see <see cref="AddGoogleFromAwsIdentity(IServiceCollection)"/>) and
    /// configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; runs when the credential is first built.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddGoogleFromAwsIdentity(this IServiceCollection services, Action<GoogleFromAwsIdentityOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddGoogleFromAwsIdentity(services, Options.Options.DefaultName, configure);
    }

    /// <summary>Registers the default Google identity (see <see cref="AddGoogleFromAwsIdentity(IServiceCollection)"/>) with
    /// options read from a configuration section, such as <c>configuration.GetSection("CrossCloudAuth:Google")</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section whose keys are named after the <see cref="GoogleFromAwsIdentityOptions"/> properties.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddGoogleFromAwsIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddGoogleFromAwsIdentity(services, Options.Options.DefaultName, configuration);
    }

    /// <summary>Registers a named Google identity, for applications that hold several: its services are keyed by
    /// <paramref name="name"/> (<c>[FromKeyedServices("name")] ICredential credential</c>,
    /// <c>GetRequiredKeyedService&lt;GoogleBearerTokenHandler&gt;("name")</c>) and its options are the named options
    /// <paramref name="name"/>. The empty name is the default identity, registered without a key.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The identity's name.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddGoogleFromAwsIdentity(this IServiceCollection services, string name, Action<GoogleFromAwsIdentityOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        AddGoogleIdentity(services, name);
        services.Configure(name, configure);
        return services;
    }

    /// <summary>Registers a named Google identity (see <see cref="AddGoogleFromAwsIdentity(IServiceCollection, string, Action{GoogleFromAwsIdentityOptions})"/>)
    /// with options read from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The identity's name.</param>
    /// <param name="configuration">The section whose keys are named after the <see cref="GoogleFromAwsIdentityOptions"/> properties.</param>
    /// <returns>The <paramref name="services"/>, so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddGoogleFromAwsIdentity(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        AddGoogleIdentity(services, name);
        services.Configure<GoogleFromAwsIdentityOptions>(name, options => ConfigurationBinding.Bind(configuration, options));
        return services;
    }

    private static IServiceCollection AddGoogleIdentity(IServiceCollection services, string name)
    {
        AddCore(services);
        if (!TryAddMarker(services, new IdentityMarker(IdentityKind.Google, name)))
        {
            return services;
        }

        services.AddOptions<GoogleFromAwsIdentityOptions>(name).ValidateOnStart();
        if (name.Length == 0)
        {
            services.TryAddSingleton(sp => Google(sp, name).Credential);
            services.TryAddSingleton<ICredentialProvider<AuthToken>>(sp => Google(sp, name).Credential);
            services.TryAddSingleton(sp => Google(sp, name).ApisCredential);
            services.TryAddSingleton<ICredential>(sp => Google(sp, name).ApisCredential);
            services.TryAddTransient(sp => Google(sp, name).CreateHandler());
        }
        else
        {
            services.TryAddKeyedSingleton(name, (sp, _) => Google(sp, name).Credential);
            services.TryAddKeyedSingleton<ICredentialProvider<AuthToken>>(name, (sp, _) => Google(sp, name).Credential);
            services.TryAddKeyedSingleton(name, (sp, _) => Google(sp, name).ApisCredential);
            services.TryAddKeyedSingleton<ICredential>(name, (sp, _) => Google(sp, name).ApisCredential);
            services.TryAddKeyedTransient(name, (sp, _) => Google(sp, name).CreateHandler());
        }

        return services;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddSingleton<GoogleIdentityRegistry>();
        services.TryAddSingleton<AwsIdentityRegistry>();
        services.TryAddSingleton(sp => new CredentialHealth(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GoogleFromAwsIdentityOptions>, GoogleFromAwsIdentityOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsCredentialsOptions>, AwsCredentialsOptionsValidator>());
    }

    private static bool TryAddMarker(IServiceCollection services, IdentityMarker marker)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(IdentityMarker) && !descriptor.IsKeyedService && marker.Equals(descriptor.ImplementationInstance))
            {
                return false;
            }
        }

        services.AddSingleton(marker);
        return true;
    }

    private static GoogleIdentity Google(IServiceProvider services, string name) =>
        services.GetRequiredService<GoogleIdentityRegistry>().Get(name);
}
