using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>
/// The environment one workload sees (a pod, an instance): its own environment variables and home directory,
/// files read from disk. The library reads everything through <see cref="ISystemEnvironment"/>, so the quickstart
/// can lay out several workloads side by side without touching the real process environment.
/// </summary>
public sealed class SandboxEnvironment(string name, IReadOnlyDictionary<string, string> variables, string? homeDirectory) : ISystemEnvironment
{
    /// <summary>Gets the workload's name, for the trace.</summary>
    public string Name { get; } = name;

    /// <summary>Gets the workload's environment variables.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; } = variables;

    /// <inheritdoc/>
    public string? HomeDirectory { get; } = homeDirectory;

    /// <inheritdoc/>
    public string? GetEnvironmentVariable(string name) => Variables.TryGetValue(name, out string? value) ? value : null;

    /// <inheritdoc/>
    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default) =>
        SystemEnvironment.Instance.ReadFileAsync(path, maxBytes, cancellationToken);
}
