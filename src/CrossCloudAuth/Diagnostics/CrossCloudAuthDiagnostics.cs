namespace CrossCloudAuth.Diagnostics;

/// <summary>
/// The names under which the library publishes its telemetry, for OpenTelemetry and other listeners:
/// <c>AddMeter(CrossCloudAuthDiagnostics.MeterName)</c> and <c>AddSource(CrossCloudAuthDiagnostics.ActivitySourceName)</c>.
/// </summary>
/// <remarks>Instruments, units, tags and activity names are listed in <c>docs/observability.md</c>. No measurement,
/// tag or activity carries a token, key, signature or subject token.</remarks>
public static class CrossCloudAuthDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that publishes refresh, failure, wait,
    /// hit and expiry instruments: <c>CrossCloudAuth</c>.</summary>
    public const string MeterName = "CrossCloudAuth";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> that starts one activity per credential
    /// refresh of each hop: <c>CrossCloudAuth</c>.</summary>
    public const string ActivitySourceName = "CrossCloudAuth";

    /// <summary>The operation name of the activity started for each refresh of a hop: <c>CrossCloudAuth.Refresh</c>.
    /// Its display name is <c>refresh HOP</c>.</summary>
    public const string RefreshActivityName = "CrossCloudAuth.Refresh";
}
