namespace CrossCloudAuth.Http;

/// <summary>The documented defaults and limits of <see cref="HopRetryOptions"/>, in one place.</summary>
internal static class HopRetryDefaults
{
    public const int MaxAttempts = 3;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxDelayLimit = TimeSpan.FromMinutes(1);
}
