using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CrossCloudAuth.Diagnostics;

/// <summary>
/// The library's meter, instruments and activity source. Everything here runs on refresh paths and in listener
/// callbacks, never on a cache hit. The caches' observable instruments (hits, time to expiry) live with the caches,
/// in <c>CacheRegistry</c>.
/// </summary>
internal static class Telemetry
{
    public const string HopTag = "crosscloudauth.hop";
    public const string ReasonTag = "crosscloudauth.refresh.reason";
    public const string OutcomeTag = "crosscloudauth.refresh.outcome";
    public const string StateTag = "crosscloudauth.cache.state";
    public const string ExpiresOnTag = "crosscloudauth.credential.expires_on";
    public const string ErrorTypeTag = "error.type";

    public const string Success = "success";
    public const string Failure = "failure";

    public static readonly ActivitySource ActivitySource = new(CrossCloudAuthDiagnostics.ActivitySourceName, LibraryVersion.Informational);

    public static readonly Meter Meter = new(CrossCloudAuthDiagnostics.MeterName, LibraryVersion.Informational);

    public static readonly Counter<long> Refreshes = Meter.CreateCounter<long>(
        "crosscloudauth.credential.refreshes",
        unit: "{refresh}",
        description: "Refreshes of a hop's credential (one upstream call each), by outcome.");

    public static readonly Histogram<double> RefreshDuration = Meter.CreateHistogram(
        "crosscloudauth.credential.refresh.duration",
        unit: "s",
        description: "How long a hop's refresh took, upstream hops included.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    public static readonly Counter<long> RefreshFailures = Meter.CreateCounter<long>(
        "crosscloudauth.credential.refresh.failures",
        unit: "{failure}",
        description: "Failed refreshes of a hop's credential, by error type.");

    public static readonly Counter<long> Waits = Meter.CreateCounter<long>(
        "crosscloudauth.cache.waits",
        unit: "{call}",
        description: "Calls that found no usable credential and waited for a refresh (or got its error).");

    public static readonly Counter<long> Extensions = Meter.CreateCounter<long>(
        "crosscloudauth.credential.extensions",
        unit: "{extension}",
        description: "Times an instance credential source served its last credentials with an extended expiry because its endpoint was down (static stability).");

    /// <summary>Counts one static-stability extension of <paramref name="hopName"/>'s credentials.</summary>
    public static void CountExtension(string hopName)
    {
        if (Extensions.Enabled)
        {
            Extensions.Add(1, new KeyValuePair<string, object?>(HopTag, hopName));
        }
    }

    public static TagList Tags(string hopName) => new() { { HopTag, hopName } };
}
