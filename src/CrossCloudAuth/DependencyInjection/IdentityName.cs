using Microsoft.Extensions.Options;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>How messages and logs name a registered identity.</summary>
internal static class IdentityName
{
    public static string Describe(string? name) =>
        string.IsNullOrEmpty(name) || name == Options.DefaultName ? "CrossCloudAuth (default identity)" : $"CrossCloudAuth identity '{name}'";

    public static string Normalize(string? name) => name ?? Options.DefaultName;
}
