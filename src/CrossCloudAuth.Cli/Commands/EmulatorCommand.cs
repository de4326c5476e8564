using System.Runtime.CompilerServices;
using System.CommandLine;
using CrossCloudAuth.Cli.Emulator;

namespace CrossCloudAuth.Cli.Commands;

/// <summary><c>crosscloud emulator</c>: starts the local cloud, prints what to export, and runs until Ctrl+C.</summary>
internal static class EmulatorCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliHost host)
    {
        var directory = new Option<string?>("--dir") { Description = "Where to write the token, credential configurations and AWS config (default: a temporary directory, removed on exit)." };
        var instance = new Option<bool>("--ec2") { Description = "Export the EC2 instance's view (an aws1 configuration over instance metadata) instead of the EKS pod's (IRSA token file)." };
        var command = new Command("emulator", "Run the local cloud emulator (AWS STS, instance metadata, an OIDC issuer, Google STS, IAM Credentials, Cloud Storage) on 127.0.0.1 and print the variables that point an app at it. Ctrl+C stops it.")
        {
            directory,
            instance,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? dir = parse.GetValue(directory);
            LocalCloud cloud = await LocalCloud.StartAsync(dir is null ? null : Path.GetFullPath(dir), cancellationToken: cancellationToken).ConfigureAwait(false);
            await using ConfiguredAsyncDisposable stop = cloud.ConfigureAwait(false);
            IReadOnlyDictionary<string, string> variables = parse.GetValue(instance) ? cloud.InstanceVariables : cloud.PodVariables;
            TextWriter o = host.Output;
            await o.WriteLineAsync("# The local cloud is running. In another shell, paste these lines (sh/bash/zsh):").ConfigureAwait(false);
            foreach ((string name, string value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                await o.WriteLineAsync($"export {name}={Quote(value)}").ConfigureAwait(false);
            }

            await o.WriteLineAsync($"""
                # Then, for example:
                #   crosscloud doctor
                #   crosscloud token
                #   crosscloud eks-token --cluster {LocalCloud.Cluster} --profile target
                # Endpoints: AWS STS {cloud.Cloud.AwsStsEndpoint}  instance metadata {cloud.Cloud.InstanceMetadataEndpoint}
                #            Google STS {cloud.Cloud.GoogleStsTokenUri}  IAM Credentials {cloud.Cloud.IamCredentialsEndpoint}
                #            Cloud Storage {cloud.Cloud.StorageEndpoint} (bucket {LocalCloud.Bucket})
                # Identities: pod {LocalCloud.PodSubject} -> {LocalCloud.AppRoleArn} -> {LocalCloud.TargetRoleArn}; service account {LocalCloud.ServiceAccount}
                # Press Ctrl+C to stop.
                """).ConfigureAwait(false);
            await o.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, host.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: a clean stop is this command's success.
            }

            await host.Error.WriteLineAsync("crosscloud: the local cloud stopped.").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Quote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
