using System.CommandLine;
using CrossCloudAuth.Cli.Commands;

namespace CrossCloudAuth.Cli;

/// <summary>The <c>crosscloud</c> command line: parsing, help and dispatch, over a <see cref="CliHost"/> so that tests
/// run every command in-process.</summary>
internal static class CrossCloudCli
{
    private const string Description = """
        crosscloud: keyless identity across AWS, Kubernetes and Google Cloud.

        Exit codes: 0 success; 1 a hop was rejected (doctor: it stopped at a hop); 2 wrong command line;
        3 misconfigured (a file, variable or option must change); 4 no credential source here; 130 cancelled.
        """;

    // The tokens of System.CommandLine's HelpOption (and its aliases) and VersionOption, which RootCommand adds.
    private static readonly string[] HelpAndVersionTokens = ["--help", "-h", "/h", "-?", "/?", "--version"];

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="host">The environment, writers and clock.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        Command root = CreateRootCommand(host, args);
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

    /// <summary>Creates the command tree for one command line.</summary>
    /// <param name="host">The host the commands run against.</param>
    /// <param name="args">The command line. A process runs one command, so when the first argument names one, only
    /// that command is built: kubectl and scripts start <c>eks-token</c> and <c>token</c> once per credential, and the
    /// other commands' option trees would be start-up cost. For the same reason the root's <c>--help</c> and
    /// <c>--version</c> options (whose descriptions are loaded from System.CommandLine's resources, about a millisecond
    /// in a new process) are built only when the line holds one of their tokens. Otherwise (no command, help, a typo)
    /// the whole tree is built, for help and suggestions.</param>
    /// <returns>The root command.</returns>
    public static Command CreateRootCommand(CliHost host, IReadOnlyList<string> args)
    {
        string? invoked = args.Count > 0 ? args[0] : null;
        (string Name, Func<CliHost, Command> Create)[] commands =
        [
            ("doctor", DoctorCommand.Create),
            ("token", TokenCommands.CreateAccessToken),
            ("id-token", TokenCommands.CreateIdToken),
            ("eks-token", EksTokenCommand.Create),
            ("emulator", EmulatorCommand.Create),
        ];
        bool one = Array.Exists(commands, c => c.Name == invoked);
        Command root = one && !args.Any(HelpAndVersionTokens.Contains)
            ? new Command("crosscloud", Description)
            : new RootCommand(Description);
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
