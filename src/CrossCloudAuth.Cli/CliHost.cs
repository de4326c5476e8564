using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Cli;

/// <summary>What a command runs against: the environment it reads, where it writes, its clock, and the HTTP stack.
/// The process uses <see cref="CreateForProcess"/>; tests build one over an emulator and string writers.</summary>
internal sealed class CliHost
{
    /// <summary>Initializes a new instance of the <see cref="CliHost"/> class.</summary>
    /// <param name="environment">Environment variables and files.</param>
    /// <param name="output">Standard output: the only place a token the user asked for is written.</param>
    /// <param name="error">Standard error: diagnostics and progress.</param>
    /// <param name="timeProvider">The clock.</param>
    public CliHost(ISystemEnvironment environment, TextWriter output, TextWriter error, TimeProvider? timeProvider = null)
    {
        Environment = environment;
        Output = output;
        Error = error;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the environment variables and files the commands read.</summary>
    public ISystemEnvironment Environment { get; }

    /// <summary>Gets standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets a value indicating whether output goes to a terminal (colours, spinners on slow hops).</summary>
    public bool Interactive { get; init; }

    /// <summary>Gets the handler under every HTTP call the commands make (<see langword="null"/>: a new socket handler).</summary>
    public Func<HttpMessageHandler>? HandlerFactory { get; init; }

    /// <summary>Creates the host of the running process.</summary>
    /// <returns>The host.</returns>
    public static CliHost CreateForProcess() =>
        new(SystemEnvironment.Instance, Console.Out, Console.Error)
        {
            Interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected,
        };
}
