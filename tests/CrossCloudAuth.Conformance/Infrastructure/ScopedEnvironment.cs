using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// The library's environment seam with variables set for one test only: files are the real ones, variables come
/// only from the given dictionary (the developer's own AWS/Google variables never reach the library under test).
/// </summary>
internal sealed class ScopedEnvironment(IReadOnlyDictionary<string, string> variables) : ISystemEnvironment
{
    public static ScopedEnvironment Empty { get; } = new(new Dictionary<string, string>());

    public string? GetEnvironmentVariable(string name) => variables.TryGetValue(name, out var value) ? value : null;

    public string? HomeDirectory => null;

    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default) =>
        SystemEnvironment.Instance.ReadFileAsync(path, maxBytes, cancellationToken);
}
