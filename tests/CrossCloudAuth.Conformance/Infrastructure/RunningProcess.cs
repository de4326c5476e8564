using System.Diagnostics;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>A long-lived tool process (a server) whose whole tree is killed on dispose.</summary>
internal sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ToolProcess.BoundedBuffer _output = new(256 * 1024);

    private RunningProcess(ProcessSpec spec)
    {
        Spec = spec;
        _process = new Process { StartInfo = ToolProcess.CreateStartInfo(spec) };
        _process.OutputDataReceived += (_, e) => _output.AppendLine(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.AppendLine(e.Data);
    }

    public ProcessSpec Spec { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed (stdout and stderr interleaved), newest 256 KiB.</summary>
    public string Output => _output.ToString();

    public static RunningProcess Start(ProcessSpec spec)
    {
        var running = new RunningProcess(spec);
        running._process.Start();
        running._process.StandardInput.Close();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    public async ValueTask DisposeAsync()
    {
        ToolProcess.Kill(_process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The kill was sent; do not hang the test run on a zombie.
        }

        _process.Dispose();
    }
}
