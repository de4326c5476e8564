using System.Globalization;

namespace CrossCloudAuth.Google;

/// <summary>
/// The rules every shape of the Google settings obeys, written once: options set in code
/// (<see cref="GoogleFederatedCredentialOptions"/>), a gcloud <c>external_account</c> file and the DI options all
/// check them here, each naming the field as its user wrote it.
/// </summary>
internal static class GoogleSettingsRules
{
    /// <summary>Why <paramref name="lifetime"/> cannot be an impersonated token's lifetime, or <see langword="null"/>.</summary>
    /// <param name="lifetime">The lifetime asked for.</param>
    /// <param name="field">The field's name where the user set it (<c>TokenLifetime</c>, <c>service_account_impersonation.token_lifetime_seconds</c>).</param>
    public static string? TokenLifetimeProblem(TimeSpan? lifetime, string field) =>
        lifetime is TimeSpan value && (value < GoogleDefaults.MinimumTokenLifetime || value > GoogleDefaults.MaximumTokenLifetime)
            ? string.Create(CultureInfo.InvariantCulture, $"{field} must be between 5 minutes (300 s) and 12 hours (43200 s); it is {value} ({value.TotalSeconds:0} s). Lifetimes over 1 hour also need the organization policy constraint iam.allowServiceAccountCredentialLifetimeExtension.")
            : null;

    /// <summary>Why <paramref name="timeout"/> cannot be a request deadline, or <see langword="null"/>.</summary>
    public static string? RequestTimeoutProblem(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? $"RequestTimeout must be positive, such as 00:00:30; it is {timeout}." : null;
}
