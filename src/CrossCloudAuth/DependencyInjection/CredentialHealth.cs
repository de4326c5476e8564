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
/// wire it into ASP.NET Core health checks with <c>services.AddHealthChecks().AddCrossCloudAuth()</c>.
/// </summary>
/// <remarks>
/// <para>The check never calls upstream: it reads the caches' state. Each hop is in exactly one condition, and the
/// result follows from the worst: healthy (a usable credential, last refresh succeeded); degraded when a hop has not
/// obtained a credential yet (not requested since start) or serves its cached credential while refreshes fail;
/// the registration's failure status (unhealthy by default) when a hop's credential expired or it failed with nothing
/// cached.</para>
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
    /// <returns><see cref="HealthStatus.Healthy"/> when every hop holds a usable credential and its last refresh
    /// succeeded; <see cref="HealthStatus.Degraded"/> when a hop has not obtained a credential yet, serves its cached
    /// credential while refreshes fail, or no identity is registered; the registration's failure status when a hop's
    /// credential expired or it failed with nothing cached. The description names every hop that is not healthy, worst
    /// first; the data has one entry per hop whose text starts with the hop's condition (<c>fresh</c>, <c>stale</c>,
    /// <c>not requested yet</c>, <c>failing</c>, <c>expired</c>, <c>unavailable</c>).</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthStatus failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        return Task.FromResult(Evaluate(GetStatuses(), _timeProvider.GetUtcNow(), failureStatus));
    }

    /// <summary>The result for a set of hop statuses: one <see cref="HopCondition"/> per hop, the worst decides.</summary>
    internal static HealthCheckResult Evaluate(IReadOnlyList<CredentialCacheStatus> statuses, DateTimeOffset now, HealthStatus failureStatus)
    {
        Dictionary<string, object> data = new(StringComparer.Ordinal);
        List<string> unusable = [];
        List<string> failing = [];
        List<string> pending = [];
        foreach (CredentialCacheStatus status in statuses)
        {
            string key = status.HopName;
            for (int n = 2; data.ContainsKey(key); n++)
            {
                key = $"{status.HopName} #{n}";
            }

            (HopCondition condition, string text) = Assess(status, now);
            data[key] = text;
            (condition switch
            {
                HopCondition.Expired or HopCondition.Unavailable => unusable,
                HopCondition.Failing => failing,
                HopCondition.NotRequested => pending,
                _ => null,
            })?.Add($"{status.HopName}: {text}");
        }

        string summary = $"{statuses.Count} credential hop(s): {statuses.Count - unusable.Count - failing.Count - pending.Count} healthy, "
            + $"{pending.Count} not requested yet, {failing.Count} failing, {unusable.Count} without a usable credential.";
        return unusable.Count > 0 ? new HealthCheckResult(failureStatus, Join(summary, unusable, failing, pending), data: data)
            : failing.Count > 0 || pending.Count > 0 ? HealthCheckResult.Degraded(Join(summary, failing, pending), data: data)
            : statuses.Count == 0 ? HealthCheckResult.Degraded("No credential is registered: call AddGoogleFromAwsIdentity, AddAwsCredentials or AddEksToken.", data: data)
            : HealthCheckResult.Healthy(summary, data);
    }

    /// <summary>A hop's condition and the text that describes it, derived together.</summary>
    internal static (HopCondition Condition, string Text) Assess(CredentialCacheStatus status, DateTimeOffset now)
    {
        HopCondition condition = Classify(status);
        return (condition, Describe(condition, status, now));
    }

    /// <summary>One condition per hop, from which both the status and the text follow, so they cannot disagree.</summary>
    internal enum HopCondition
    {
        Healthy,
        NotRequested,
        Failing,
        Expired,
        Unavailable,
    }

    private static HopCondition Classify(CredentialCacheStatus status) => status.State switch
    {
        CredentialCacheState.Expired => HopCondition.Expired,
        CredentialCacheState.Empty => status.LastError is null ? HopCondition.NotRequested : HopCondition.Unavailable,
        _ => status.LastError is null ? HopCondition.Healthy : HopCondition.Failing,
    };

    private static string Join(string summary, params List<string>[] groups) =>
        string.Join(" | ", groups.SelectMany(g => g).Prepend(summary));

    private static string Describe(HopCondition condition, CredentialCacheStatus status, DateTimeOffset now)
    {
        StringBuilder text = new();
        switch (condition)
        {
            case HopCondition.NotRequested:
                return "not requested yet; no credential obtained";
            case HopCondition.Healthy:
                text.Append(CacheRegistry.StateName(status.State));
                AppendExpiry(text, status, now);
                if (status.State == CredentialCacheState.Stale)
                {
                    text.Append("; refreshing in the background");
                }

                return text.ToString();
            case HopCondition.Failing:
                text.Append(CultureInfo.InvariantCulture, $"failing; serving the cached credential until {status.UsableUntil:O} while refreshes fail");
                AppendExpiry(text, status, now);
                break;
            case HopCondition.Expired:
                text.Append("expired; no usable credential");
                AppendExpiry(text, status, now);
                break;
            default:
                text.Append("unavailable; no credential obtained");
                break;
        }

        if (status.LastError is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {status.ConsecutiveFailures} failure(s) in a row");
            if (status.NextAttemptAt is DateTimeOffset next)
            {
                text.Append(CultureInfo.InvariantCulture, $", next attempt {next:O}");
            }

            text.Append("; ").Append(ErrorText(status.LastError));
        }

        return text.ToString();
    }

    private static void AppendExpiry(StringBuilder text, CredentialCacheStatus status, DateTimeOffset now)
    {
        if (status.ExpiresOn is DateTimeOffset expiresOn && expiresOn != DateTimeOffset.MaxValue)
        {
            double seconds = (expiresOn - now).TotalSeconds;
            if (seconds >= 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; expires {expiresOn:O} (in {seconds:F0} s)");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"; expired {expiresOn:O} ({-seconds:F0} s ago)");
            }
        }
    }

    private static string ErrorText(Exception? error) => error switch
    {
        null => "no error",
        CrossCloudAuthException known => "last error: " + known.Message,
        Microsoft.Extensions.Options.OptionsValidationException invalid => "invalid options: " + invalid.Message,
        _ => "last error: " + error.GetType().FullName,
    };
}
