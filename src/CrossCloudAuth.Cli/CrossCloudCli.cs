using System.CommandLine;
using CrossCloudAuth.Cli.Commands;

namespace CrossCloudAuth.Cli;

/// <summary>The <c>crosscloud</c> command line: parsing, help and dispatch, over a <see cref="CliHost"/> so that tests
/// run every command in-process.</summary>
internal static class CrossCloudCli
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="host">The environment, writers and clock.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        RootCommand root = CreateRootCommand(host);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                await host.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await host.Error.WriteLineAsync("Run 'crosscloud --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = host.Output, Error = host.Error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (CrossCloudAuthException e)
        {
            // Library messages name the hop and the fix and never carry a secret.
            await host.Error.WriteLineAsync($"crosscloud: {e.HopName}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.For(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>Creates the command tree.</summary>
    /// <param name="host">The host the commands run against.</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRootCommand(CliHost host)
    {
        var root = new RootCommand("""
            crosscloud: keyless identity across AWS, Kubernetes and Google Cloud.

            Exit codes: 0 success; 1 a hop was rejected (doctor: it stopped at a hop); 2 wrong command line;
            3 misconfigured (a file, variable or option must change); 4 no credential source here; 130 cancelled.
            """);
        root.Subcommands.Add(DoctorCommand.Create(host));
        root.Subcommands.Add(TokenCommands.CreateAccessToken(host));
        root.Subcommands.Add(TokenCommands.CreateIdToken(host));
        root.Subcommands.Add(EksTokenCommand.Create(host));
        root.Subcommands.Add(EmulatorCommand.Create(host));
        return root;
    }
}
