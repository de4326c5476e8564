using CrossCloudAuth.Caching;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>The cache part of every identity's start-up validation, shared by the Google and AWS validators.</summary>
internal static class CacheOptionsValidation
{
    /// <summary>Adds a failure naming the identity when <paramref name="cache"/> is set and invalid.</summary>
    public static void AddFailures(List<string> failures, string identity, RefreshAheadCacheOptions? cache)
    {
        if (cache is null)
        {
            return;
        }

        try
        {
            cache.Validate();
        }
        catch (ArgumentOutOfRangeException error)
        {
            failures.Add($"{identity}: Cache: {error.Message}");
        }
    }
}
