using System.Diagnostics;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A process runner that starts nothing: it records what it was asked to run and answers with a scripted
/// output and exit code, or a scripted exception (a timeout, too much output, a program that cannot start).</summary>
internal sealed class ScriptedProcessRunner : IProcessRunner
{
    private readonly string? _output;
    private readonly int _exitCode;
    private readonly Exception? _error;

    public ScriptedProcessRunner(string output, int exitCode = 0)
    {
        _output = output;
        _exitCode = exitCode;
    }

    public ScriptedProcessRunner(Exception error) => _error = error;

    public List<ProcessStartInfo> Started { get; } = [];

    public List<TimeSpan> Timeouts { get; } = [];

    public List<int> OutputLimits { get; } = [];

    public Task<ProcessResult> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout, int maxOutputBytes, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Started.Add(startInfo);
        Timeouts.Add(timeout);
        OutputLimits.Add(maxOutputBytes);
        return _error is not null
            ? Task.FromException<ProcessResult>(_error)
            : Task.FromResult(new ProcessResult(_exitCode, System.Text.Encoding.UTF8.GetBytes(_output!)));
    }
}
