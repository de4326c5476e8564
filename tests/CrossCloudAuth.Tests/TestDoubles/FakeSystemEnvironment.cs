using System.Collections.Concurrent;
using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>An in-memory environment: variables and files set by the test, reads counted.</summary>
internal sealed class FakeSystemEnvironment : ISystemEnvironment
{
    private readonly ConcurrentDictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private int _reads;

    public string? HomeDirectory { get; set; } = "/home/test";

    public int FileReads => Volatile.Read(ref _reads);

    public FakeSystemEnvironment WithVariable(string name, string? value)
    {
        if (value is null)
        {
            _variables.TryRemove(name, out _);
        }
        else
        {
            _variables[name] = value;
        }

        return this;
    }

    public FakeSystemEnvironment WithFile(string path, string content) => WithFile(path, Encoding.UTF8.GetBytes(content));

    public FakeSystemEnvironment WithFile(string path, byte[] content)
    {
        _files[path] = content;
        return this;
    }

    public void DeleteFile(string path) => _files.TryRemove(path, out _);

    public string? GetEnvironmentVariable(string name) => _variables.TryGetValue(name, out string? value) ? value : null;

    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_files.TryGetValue(path, out byte[]? content))
        {
            return ValueTask.FromException<byte[]>(new FileNotFoundException("Not found.", path));
        }

        if (content.Length > maxBytes)
        {
            return ValueTask.FromException<byte[]>(new InvalidDataException($"The file '{path}' is larger than the {maxBytes} bytes accepted."));
        }

        return ValueTask.FromResult(content.ToArray());
    }
}
