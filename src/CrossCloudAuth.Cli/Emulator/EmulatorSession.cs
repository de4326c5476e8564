using System.Runtime.CompilerServices;

namespace CrossCloudAuth.Cli.Emulator;

/// <summary>What <c>crosscloud emulator</c> does: starts the local cloud, prints what to export, and waits for Ctrl+C.</summary>
internal static class EmulatorSession
{
    /// <summary>Runs the emulator until cancelled.</summary>
    /// <param name="host">The host.</param>
    /// <param name="dir">Where to write the files, or <see langword="null"/> for a temporary directory.</param>
    /// <param name="instance">Whether to export the EC2 instance's view.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliHost host, string? dir, bool instance, CancellationToken cancellationToken)
    {
        LocalCloud cloud = await LocalCloud.StartAsync(dir is null ? null : Path.GetFullPath(dir), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable stop = cloud.ConfigureAwait(false);
        IReadOnlyDictionary<string, string> variables = instance ? cloud.InstanceVariables : cloud.PodVariables;
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
    }

    private static string Quote(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or '=')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
