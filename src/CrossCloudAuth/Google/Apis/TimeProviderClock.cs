using Google.Apis.Util;

namespace CrossCloudAuth.Google.Apis;

/// <summary>Google.Apis' clock over the injected <see cref="TimeProvider"/>.</summary>
internal sealed class TimeProviderClock(TimeProvider timeProvider) : IClock
{
    public DateTime Now => timeProvider.GetLocalNow().DateTime;

    public DateTime UtcNow => timeProvider.GetUtcNow().UtcDateTime;
}
