namespace CrossCloudAuth.Cli;

/// <summary>The process entry point.</summary>
internal static class Program
{
    /// <summary>Runs <c>crosscloud</c> with the process's console and environment.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C stops the command cleanly (the emulator shuts down, temporary files go); a second one kills.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };

        return await CrossCloudCli.RunAsync(args, CliHost.CreateForProcess(), cancellation.Token).ConfigureAwait(false);
    }
}
