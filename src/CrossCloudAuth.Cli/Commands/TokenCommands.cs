using System.CommandLine;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Cli.Commands;

/// <summary><c>crosscloud token</c> and <c>crosscloud id-token</c>: a Google access or ID token on standard output,
/// for scripts (like <c>gcloud auth print-access-token</c> / <c>print-identity-token</c>).</summary>
internal static class TokenCommands
{
    /// <summary>Creates <c>token</c>.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The command.</returns>
    public static Command CreateAccessToken(CliHost host)
    {
        var scopes = new Option<string[]>("--scopes")
        {
            Description = "OAuth scopes, comma-separated or repeated (default: https://www.googleapis.com/auth/cloud-platform).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("token", "Print a Google access token from the credential configuration in GOOGLE_APPLICATION_CREDENTIALS (Workload Identity Federation, then impersonation when configured).")
        {
            scopes,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string[] requested = [.. (parse.GetValue(scopes) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
            using HttpClient http = Plumbing.CreateHttpClient(host);
            ExternalAccountConfiguration configuration = await Plumbing.LoadGoogleConfigurationAsync(host, cancellationToken).ConfigureAwait(false);
            using GoogleFederatedCredential credential = Plumbing.GoogleCredential(host, http, configuration, requested);
            AuthToken token = await credential.GetAsync(cancellationToken).ConfigureAwait(false);
            await host.Output.WriteLineAsync(token.Token).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Creates <c>id-token</c>.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The command.</returns>
    public static Command CreateIdToken(CliHost host)
    {
        var audience = new Option<string>("--audience")
        {
            Description = "The audience of the ID token (the receiving service's URL, such as a Cloud Run service).",
            Required = true,
        };
        var includeEmail = new Option<bool>("--include-email")
        {
            Description = "Include the service account's email and email_verified claims.",
        };
        var command = new Command("id-token", "Print a Google ID token of the impersonated service account, for calling Cloud Run, Cloud Functions or IAP.")
        {
            audience,
            includeEmail,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using HttpClient http = Plumbing.CreateHttpClient(host);
            ExternalAccountConfiguration configuration = await Plumbing.LoadGoogleConfigurationAsync(host, cancellationToken).ConfigureAwait(false);
            using GoogleFederatedCredential credential = Plumbing.GoogleCredential(host, http, configuration);
            AuthToken token = await credential.GetIdTokenAsync(parse.GetValue(audience)!, parse.GetValue(includeEmail), cancellationToken).ConfigureAwait(false);
            await host.Output.WriteLineAsync(token.Token).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
