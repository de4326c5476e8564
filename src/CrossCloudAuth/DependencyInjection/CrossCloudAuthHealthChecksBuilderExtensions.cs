using CrossCloudAuth.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the health of every credential hop with ASP.NET Core health checks.</summary>
public static class CrossCloudAuthHealthChecksBuilderExtensions
{
    /// <summary>The default name of the health check: <c>crosscloudauth</c>.</summary>
    public const string DefaultName = "crosscloudauth";

    /// <summary>
    /// Adds a health check over <see cref="CredentialHealth"/>: the cached credential of every hop that
    /// <c>AddGoogleFromAwsIdentity</c>, <c>AddAwsCredentials</c> and <c>AddEksToken</c> registered. The check reads the
    /// caches and never calls upstream.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default: <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">The status reported when a hop has no usable credential (its credential expired,
    /// or it failed with nothing cached). Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering checks, such as <c>"ready"</c>. Default: none.</param>
    /// <param name="timeout">The check's timeout. Default: none (the check does not wait).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <remarks>
    /// <para><see cref="HealthStatus.Healthy"/> when every hop holds a usable credential and its last refresh succeeded;
    /// <see cref="HealthStatus.Degraded"/> when a hop has not obtained a credential yet (after start, before the first
    /// call) or serves its cached credential while refreshes fail; <paramref name="failureStatus"/> when a hop has no
    /// usable credential. Register the identities with the <c>Add…</c> methods of <see cref="IServiceCollection"/>;
    /// with none registered, the check reports <see cref="HealthStatus.Degraded"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <see langword="null"/> or blank.</exception>
    public static IHealthChecksBuilder AddCrossCloudAuth(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => sp.GetService<CredentialHealth>() ?? new CredentialHealth(sp),
            failureStatus,
            tags,
            timeout));
    }
}
