using System.Globalization;
using System.Text;
using CrossCloudAuth.Caching;
using CrossCloudAuth.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// The health of every credential hop registered with <c>AddGoogleFromAwsIdentity</c>, <c>AddAwsCredentials</c> and
/// <c>AddEksToken</c>:
/// whether a usable credential is cached, when it expires, and the last refresh error. Registered by those methods;
/// wire it into ASP.NET Core health checks with <c>services.AddHealthChecks().AddCheck&lt;CredentialHealth&gt;("credentials")</c>.
/// </summary>
/// <remarks>
/// <para>The check never calls upstream: it reads the caches' state. A hop that has not been asked for a credential yet
/// is healthy; a hop serving a cached credential while its refreshes fail is degraded; a hop without a usable
/// credential after a failure is unhealthy (the registration's failure status).</para>
/// <para>Descriptions and data contain hop names, instants and this library's error messages, never a token or key;
/// errors from other sources are reported by type only. This type is thread-safe.</para>
/// </remarks>
public sealed class CredentialHealth : IHealthCheck
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;

    internal CredentialHealth(IServiceProvider services)
    {
        _services = services;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
    }

    /// <summary>Gets the status of every cached hop of every registered identity, building identities that were not
    /// resolved yet (no upstream call). An identity that cannot be built (invalid options, missing file) appears as one
    /// empty status that carries the error.</summary>
    /// <returns>The statuses.</returns>
    public IReadOnlyList<CredentialCacheStatus> GetStatuses()
    {
        List<CredentialCacheStatus> statuses = [];
        foreach (IdentityMarker identity in _services.GetServices<IdentityMarker>().Distinct())
        {
            try
            {
                statuses.AddRange(identity.Kind switch
                {
                    IdentityKind.Google => _services.GetRequiredService<GoogleIdentityRegistry>().Get(identity.Name).Credential.GetStatuses(),
                    IdentityKind.Aws => _services.GetRequiredService<AwsIdentityRegistry>().Get(identity.Name).Caches.Select(c => c.GetStatus()),
                    _ => [_services.GetRequiredService<AwsIdentityRegistry>().GetEksToken(identity.Name, identity.AwsName ?? string.Empty).GetStatus()],
                });
            }
            catch (Exception error) when (error is not ObjectDisposedException)
            {
                string hop = $"{identity.Kind.ToString().ToLowerInvariant()}:{(identity.Name.Length == 0 ? "default" : identity.Name)}";
                statuses.Add(new CredentialCacheStatus(hop, CredentialCacheState.Empty, null, null, null, null, error, 1, null));
            }
        }

        return statuses;
    }

    /// <summary>Checks every registered hop.</summary>
    /// <param name="context">The health check registration; its failure status is used for unusable hops.</param>
    /// <param name="cancellationToken">Not used: the check does not wait.</param>
    /// <returns>Healthy, degraded (serving cached credentials while refreshes fail) or the failure status.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthStatus failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        IReadOnlyList<CredentialCacheStatus> statuses = GetStatuses();
        DateTimeOffset now = _timeProvider.GetUtcNow();
        Dictionary<string, object> data = new(StringComparer.Ordinal);
        List<string> unusable = [];
        List<string> degraded = [];
        foreach (CredentialCacheStatus status in statuses)
        {
            string key = status.HopName;
            for (int n = 2; data.ContainsKey(key); n++)
            {
                key = $"{status.HopName} #{n}";
            }

            data[key] = Describe(status, now);
            if (status.State == CredentialCacheState.Expired || (status.State == CredentialCacheState.Empty && status.LastError is not null))
            {
                unusable.Add($"{status.HopName}: no usable credential; {ErrorText(status.LastError)}");
            }
            else if (status.LastError is not null)
            {
                degraded.Add($"{status.HopName}: serving the cached credential until {status.UsableUntil:O} while refreshes fail; {ErrorText(status.LastError)}");
            }
        }

        HealthCheckResult result = unusable.Count > 0 ? new HealthCheckResult(failureStatus, string.Join(" | ", unusable.Concat(degraded)), data: data)
            : degraded.Count > 0 ? HealthCheckResult.Degraded(string.Join(" | ", degraded), data: data)
            : HealthCheckResult.Healthy($"{statuses.Count} credential hop(s), {statuses.Count(s => s.HasUsableCredential)} holding a usable credential, none failing.", data);
        return Task.FromResult(result);
    }

    private static string Describe(CredentialCacheStatus status, DateTimeOffset now)
    {
        StringBuilder text = new(CredentialCacheStateName(status.State));
        if (status.ExpiresOn is DateTimeOffset expiresOn && expiresOn != DateTimeOffset.MaxValue)
        {
            text.Append(CultureInfo.InvariantCulture, $"; expires {expiresOn:O} (in {(expiresOn - now).TotalSeconds:F0} s)");
        }

        if (status.LastError is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {status.ConsecutiveFailures} failure(s), next attempt {status.NextAttemptAt:O}; {ErrorText(status.LastError)}");
        }

        return text.ToString();
    }

    private static string CredentialCacheStateName(CredentialCacheState state) =>
        state == CredentialCacheState.Empty ? "not requested yet" : CacheRegistry.StateName(state);

    private static string ErrorText(Exception? error) => error switch
    {
        null => "no error",
        CrossCloudAuthException known => "last error: " + known.Message,
        Microsoft.Extensions.Options.OptionsValidationException invalid => "invalid options: " + invalid.Message,
        _ => "last error: " + error.GetType().FullName,
    };
}
