using System.CommandLine;
using CrossCloudAuth.Cli.Doctor;
using Spectre.Console;

namespace CrossCloudAuth.Cli.Commands;

/// <summary><c>crosscloud doctor</c>: explains this machine's cross-cloud identity setup hop by hop, and on a failure
/// names the probable cause and the fix.</summary>
internal static class DoctorCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliHost host)
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (for machines)." };
        var profile = new Option<string?>("--profile") { Description = "Walk this AWS profile (role_arn, source_profile, web_identity_token_file chains)." };
        var roleArn = new Option<string[]>("--role-arn") { Description = "Chain into this role after the AWS credentials; repeat for a chain." };
        var cluster = new Option<string?>("--cluster") { Description = "Also mint an EKS token for this cluster and check it the way the cluster does." };
        var duration = new Option<int?>("--duration-seconds") { Description = "The session duration asked of each --role-arn (role chaining allows at most 3600)." };
        var command = new Command("doctor", """
            Discover what the library would use here (GOOGLE_APPLICATION_CREDENTIALS and its file, AWS_ROLE_ARN /
            AWS_WEB_IDENTITY_TOKEN_FILE, AWS profiles, container credentials, instance metadata), walk every hop, and print
            what each presented and got back. On a failure it stops at that hop and names the probable cause and the fix.
            Exit code 0 when healthy, 1 when it stopped at a hop.
            """)
        {
            json,
            profile,
            roleArn,
            cluster,
            duration,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new DoctorRequest(
                parse.GetValue(profile),
                parse.GetValue(roleArn) ?? [],
                parse.GetValue(cluster),
                parse.GetValue(duration) is int seconds ? TimeSpan.FromSeconds(seconds) : null);
            var walk = new DoctorWalk(host, request);
            DoctorReport report;
            if (host.Interactive && !parse.GetValue(json))
            {
                // A spinner on standard error while hops are slow; the report itself goes to standard output.
                IAnsiConsole progress = DoctorRenderer.Console(host.Error, interactive: true);
                report = await progress.Status().StartAsync("walking the hops…", ctx =>
                    walk.RunAsync(step => ctx.Status(Markup.Escape(step)), cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                report = await walk.RunAsync(null, cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                DoctorRenderer.WriteJson(host.Output, report);
            }
            else
            {
                DoctorRenderer.WriteTree(DoctorRenderer.Console(host.Output, host.Interactive), report);
            }

            return report.Healthy ? ExitCodes.Success : ExitCodes.HopFailed;
        });
        return command;
    }
}
