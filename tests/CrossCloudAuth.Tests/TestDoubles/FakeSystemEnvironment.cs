global using FakeSystemEnvironment = CrossCloudAuth.Tests.TestDoubles.FakeSystemEnvironment;

using System.Collections.Concurrent;
using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>An in-memory environment: variables, a home directory and files, so tests never touch the process.</summary>
internal sealed class FakeSystemEnvironment : ISystemEnvironment
{
    private readonly ConcurrentDictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Exception> _fileErrors = new(StringComparer.Ordinal);
    private int _fileReads;

    public string? HomeDirectory { get; set; } = "/home/test";

    public int FileReads => Volatile.Read(ref _fileReads);

    public FakeSystemEnvironment Set(string name, string? value)
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
        _fileErrors.TryRemove(path, out _);
        _files[path] = content;
        return this;
    }

    public FakeSystemEnvironment WithFileError(string path, Exception error)
    {
        _files.TryRemove(path, out _);
        _fileErrors[path] = error;
        return this;
    }

    public FakeSystemEnvironment RemoveFile(string path)
    {
        _files.TryRemove(path, out _);
        _fileErrors.TryRemove(path, out _);
        return this;
    }

    public string? GetEnvironmentVariable(string name) => _variables.TryGetValue(name, out string? value) ? value : null;

    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _fileReads);
        if (_fileErrors.TryGetValue(path, out Exception? error))
        {
            return ValueTask.FromException<byte[]>(error);
        }

        if (!_files.TryGetValue(path, out byte[]? content))
        {
            return ValueTask.FromException<byte[]>(new FileNotFoundException($"Could not find file '{path}'.", path));
        }

        if (content.Length > maxBytes)
        {
            return ValueTask.FromException<byte[]>(new InvalidDataException($"The file '{path}' is larger than the {maxBytes} bytes accepted."));
        }

        return ValueTask.FromResult(content.ToArray());
    }
}
