using System.CommandLine;
#if !CROSSCLOUD_NO_EMULATOR
using CrossCloudAuth.Cli.Emulator;
#endif

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
#if CROSSCLOUD_NO_EMULATOR
        command.SetAction(async (parse, cancellationToken) =>
        {
            await host.Error.WriteLineAsync("crosscloud: this Native AOT build leaves the emulator out to start fast; run it from the .NET tool (dotnet tool install --global CrossCloudAuth.Cli) or with dotnet run --project src/CrossCloudAuth.Cli -- emulator.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
#else
        command.SetAction((parse, cancellationToken) => EmulatorSession.RunAsync(host, parse.GetValue(directory), parse.GetValue(instance), cancellationToken));
#endif
        return command;
    }
}
