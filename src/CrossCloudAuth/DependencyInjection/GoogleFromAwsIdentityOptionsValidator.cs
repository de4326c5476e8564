using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Checks a registered Google identity when the host starts (<c>ValidateOnStart</c>) and when it is first resolved:
/// that it has a configuration, that the pieces fit together, and that a configuration file exists and parses. Every
/// message names the identity, the setting and the fix.
/// </summary>
internal sealed class GoogleFromAwsIdentityOptionsValidator(ISystemEnvironment? environment = null) : IValidateOptions<GoogleFromAwsIdentityOptions>
{
    private const string GcloudHint = "gcloud iam workload-identity-pools create-cred-config";

    private readonly ISystemEnvironment _environment = environment ?? SystemEnvironment.Instance;

    public ValidateOptionsResult Validate(string? name, GoogleFromAwsIdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string identity = IdentityName.Describe(name);
        List<string> failures = [.. options.BindingErrors.Select(e => $"{identity}: {e}")];

        bool hasAudience = !string.IsNullOrWhiteSpace(options.Audience);
        if (hasAudience)
        {
            ValidateCodeConfiguration(identity, options, failures);
        }
        else
        {
            ValidateFileConfiguration(identity, options, failures);
        }

        if (options.Scopes.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{identity}: Scopes contains an empty scope; remove it (the default is https://www.googleapis.com/auth/cloud-platform).");
        }

        if (options.ServiceAccountEmail is { } email && !email.Contains('@', StringComparison.Ordinal))
        {
            failures.Add($"{identity}: ServiceAccountEmail '{email}' is not an email such as name@project.iam.gserviceaccount.com.");
        }

        if (GoogleSettingsRules.TokenLifetimeProblem(options.TokenLifetime, nameof(options.TokenLifetime)) is { } lifetimeProblem)
        {
            failures.Add($"{identity}: {lifetimeProblem}");
        }

        if (GoogleSettingsRules.RequestTimeoutProblem(options.RequestTimeout) is { } timeoutProblem)
        {
            failures.Add($"{identity}: {timeoutProblem}");
        }

        if (options.TokenUrl is Uri tokenUrl && !options.AllowNonStandardEndpoints && tokenUrl.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"{identity}: TokenUrl must be https ({tokenUrl.Scheme} given); set AllowNonStandardEndpoints only for a local emulator.");
        }

        CacheOptionsValidation.AddFailures(failures, identity, options.Cache);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateCodeConfiguration(string identity, GoogleFromAwsIdentityOptions options, List<string> failures)
    {
        string audience = options.Audience!.Trim();
        if (!audience.StartsWith("//iam.googleapis.com/", StringComparison.Ordinal) && !options.AllowNonStandardEndpoints)
        {
            failures.Add($"{identity}: Audience '{audience}' is not a workload identity provider name; it looks like //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (gcloud iam workload-identity-pools providers describe PROVIDER --format='value(name)', prefixed with //iam.googleapis.com/).");
        }

        if (!string.IsNullOrWhiteSpace(options.CredentialsFile))
        {
            failures.Add($"{identity}: both CredentialsFile and Audience are set; set CredentialsFile to use a gcloud configuration file, or Audience (with SubjectTokenFile or UseAwsCredentials) to configure the identity without one.");
        }

        int sources = (options.SubjectTokenSource is null ? 0 : 1) + (string.IsNullOrWhiteSpace(options.SubjectTokenFile) ? 0 : 1) + (options.UseAwsCredentials ? 1 : 0);
        if (sources == 0)
        {
            failures.Add($"{identity}: Audience is set but not where subject tokens come from; set SubjectTokenFile (a projected service-account token, such as /var/run/secrets/eks.amazonaws.com/serviceaccount/token) or UseAwsCredentials = true (a signed AWS request from the registered AWS identity).");
        }
        else if (sources > 1 && options.SubjectTokenSource is null)
        {
            failures.Add($"{identity}: both SubjectTokenFile and UseAwsCredentials are set; choose one.");
        }

        if (!string.IsNullOrWhiteSpace(options.SubjectTokenFile) && !Path.IsPathFullyQualified(options.SubjectTokenFile))
        {
            failures.Add($"{identity}: SubjectTokenFile '{options.SubjectTokenFile}' must be an absolute path.");
        }

        if (string.IsNullOrWhiteSpace(options.SubjectTokenType))
        {
            failures.Add($"{identity}: SubjectTokenType is empty; use urn:ietf:params:oauth:token-type:jwt for a projected service-account token.");
        }
    }

    private void ValidateFileConfiguration(string identity, GoogleFromAwsIdentityOptions options, List<string> failures)
    {
        string? path = string.IsNullOrWhiteSpace(options.CredentialsFile) ? _environment.GetEnvironmentVariable(ExternalAccountConfiguration.CredentialsFileVariable) : options.CredentialsFile;
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{identity}: no Google identity is configured. Set GOOGLE_APPLICATION_CREDENTIALS to the external_account file that '{GcloudHint}' writes, or set CredentialsFile, or set Audience with SubjectTokenFile or UseAwsCredentials.");
            return;
        }

        if (options.SubjectTokenSource is not null || !string.IsNullOrWhiteSpace(options.SubjectTokenFile) || options.UseAwsCredentials)
        {
            failures.Add($"{identity}: SubjectTokenFile, UseAwsCredentials and SubjectTokenSource need Audience; with a configuration file ({path}) the subject token comes from its credential_source.");
        }

        try
        {
            // A small local file: reading it here is what makes a wrong path or a malformed file fail at start-up.
            _ = ExternalAccountConfiguration.LoadFileAsync(path.Trim(), _environment).GetAwaiter().GetResult();
        }
        catch (CrossCloudAuthException error)
        {
            string variable = string.IsNullOrWhiteSpace(options.CredentialsFile) ? $" (from {ExternalAccountConfiguration.CredentialsFileVariable})" : string.Empty;
            failures.Add($"{identity}: the credential configuration file '{path}'{variable} cannot be used: {error.Message} Regenerate it with '{GcloudHint}'.");
        }
    }
}
