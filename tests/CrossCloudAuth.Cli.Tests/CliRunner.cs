using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Cli.Tests;

/// <summary>Runs <c>crosscloud</c> in-process with a given environment and captures what it writes.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> variables, TimeProvider? clock, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(new TestEnvironment(variables), output, error, clock);
        int code = await CrossCloudCli.RunAsync(args, host);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> variables, params string[] args) => RunAsync(variables, null, args);

    public static Dictionary<string, string> With(this IReadOnlyDictionary<string, string> variables, string name, string? value)
    {
        var copy = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        if (value is null)
        {
            copy.Remove(name);
        }
        else
        {
            copy[name] = value;
        }

        return copy;
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Variables from a dictionary, files from the disk, and a home directory that holds no AWS files.</summary>
internal sealed class TestEnvironment(IReadOnlyDictionary<string, string> variables) : ISystemEnvironment
{
    public string? HomeDirectory { get; } = Path.Combine(Path.GetTempPath(), "crosscloud-tests-home-without-aws-files");

    public string? GetEnvironmentVariable(string name) => variables.TryGetValue(name, out string? value) ? value : null;

    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default) =>
        SystemEnvironment.Instance.ReadFileAsync(path, maxBytes, cancellationToken);
}

/// <summary>A writer that completes a task when a line containing a marker is written (awaited, never polled).</summary>
internal sealed class SignallingWriter(string marker) : StringWriter
{
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();

    public Task Seen => _seen.Task;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            base.Write(value);
            if (ToString().Contains(marker, StringComparison.Ordinal))
            {
                _seen.TrySetResult();
            }
        }
    }

    public override void WriteLine(string? value) => Write(value + Environment.NewLine);

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public string Text()
    {
        lock (_gate)
        {
            return ToString();
        }
    }
}
