using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace CrossCloudAuth.Platform;

/// <summary>Runs real processes: standard input closed, standard output read with a cap, standard error discarded.</summary>
internal sealed class ProcessRunner : IProcessRunner
{
    public static ProcessRunner Instance { get; } = new();

    public async Task<ProcessResult> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout, int maxOutputBytes, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.CreateNoWindow = true;

        using Process process = new() { StartInfo = startInfo };
        process.Start();
        using CancellationTokenSource deadline = new(timeout, timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            process.StandardInput.Close();
            Task<byte[]> output = ReadCappedAsync(process.StandardOutput.BaseStream, maxOutputBytes, linked.Token);
            Task error = process.StandardError.BaseStream.CopyToAsync(Stream.Null, linked.Token);
            byte[] stdout = await output.ConfigureAwait(false);
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            await error.ConfigureAwait(false);
            return new ProcessResult(process.ExitCode, stdout);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new TimeoutException($"The program ran longer than {timeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The process may already have exited; killing is best effort.")]
    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            // Already gone.
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        using MemoryStream buffer = new();
        byte[] chunk = new byte[4096];
        while (true)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                throw new InvalidDataException($"The program printed more than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
