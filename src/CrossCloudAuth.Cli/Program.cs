using System.Runtime.InteropServices;

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

        // Ctrl+C (SIGINT) and SIGTERM stop the command cleanly (the emulator shuts down, temporary files go); a second
        // signal kills the process.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        }

        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        return await CrossCloudCli.RunAsync(args, CliHost.CreateForProcess(), cancellation.Token).ConfigureAwait(false);
    }
}
