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
        RootCommand root = CreateRootCommand(host, args.Length > 0 ? args[0] : null);
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
    /// <param name="invoked">The first argument. A process runs one command, so when it names one, only that command is
    /// built: kubectl and scripts start <c>eks-token</c> and <c>token</c> once per credential, and the other commands'
    /// option trees would be start-up cost. Otherwise (no command, <c>--help</c>, a typo) the whole tree is built, for
    /// help and suggestions.</param>
    /// <returns>The root command.</returns>
    public static RootCommand CreateRootCommand(CliHost host, string? invoked = null)
    {
        var root = new RootCommand("""
            crosscloud: keyless identity across AWS, Kubernetes and Google Cloud.

            Exit codes: 0 success; 1 a hop was rejected (doctor: it stopped at a hop); 2 wrong command line;
            3 misconfigured (a file, variable or option must change); 4 no credential source here; 130 cancelled.
            """);
        (string Name, Func<CliHost, Command> Create)[] commands =
        [
            ("doctor", DoctorCommand.Create),
            ("token", TokenCommands.CreateAccessToken),
            ("id-token", TokenCommands.CreateIdToken),
            ("eks-token", EksTokenCommand.Create),
            ("emulator", EmulatorCommand.Create),
        ];
        bool one = Array.Exists(commands, c => c.Name == invoked);
        foreach ((string name, Func<CliHost, Command> create) in commands)
        {
            if (!one || name == invoked)
            {
                root.Subcommands.Add(create(host));
            }
        }

        return root;
    }
}
