using System.Collections.Concurrent;
using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Testing;

/// <summary>
/// An in-memory <see cref="ISystemEnvironment"/>: environment variables, a home directory and files, so that a test
/// describes the workload it runs as (a pod, an instance) without touching the process environment or the disk, and
/// tests run in parallel.
/// </summary>
/// <example>
/// <code>
/// var pod = new FakeSystemEnvironment()
///     .Set("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/my-role")
///     .Set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
///     .WithFile("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", token);
/// var context = new CredentialContext { Environment = pod };       // or services.AddSingleton&lt;ISystemEnvironment&gt;(pod)
/// </code>
/// </example>
/// <remarks>
/// <para>Paths are compared exactly (ordinal), as written; nothing is resolved against the real file system. A file
/// that was never added reads as <see cref="FileNotFoundException"/>, like a missing file on disk, and a file larger
/// than the reader's limit as <see cref="InvalidDataException"/>, like <see cref="SystemEnvironment"/>.</para>
/// <para>This type is thread-safe: a test may replace a file (a rotated projected token) or a variable while the code
/// under test reads them; every read sees either the old or the new content, never a mix.</para>
/// </remarks>
public sealed class FakeSystemEnvironment : ISystemEnvironment
{
    private readonly ConcurrentDictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileEntry> _files = new(StringComparer.Ordinal);
    private string? _homeDirectory;
    private int _fileReads;

    /// <summary>Initializes a new instance of the <see cref="FakeSystemEnvironment"/> class with no variables, no
    /// files and no home directory.</summary>
    public FakeSystemEnvironment()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FakeSystemEnvironment"/> class with the given
    /// variables.</summary>
    /// <param name="variables">The environment variables.</param>
    /// <exception cref="ArgumentNullException"><paramref name="variables"/> is <see langword="null"/>.</exception>
    public FakeSystemEnvironment(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (KeyValuePair<string, string> variable in variables)
        {
            Set(variable.Key, variable.Value);
        }
    }

    /// <summary>Gets or sets the home directory (where <c>~/.aws/config</c> is looked for). Default: none.</summary>
    public string? HomeDirectory
    {
        get => Volatile.Read(ref _homeDirectory);
        set => Volatile.Write(ref _homeDirectory, value);
    }

    /// <summary>Gets how many times <see cref="ReadFileAsync"/> was called, whatever its outcome.</summary>
    public int FileReads => Volatile.Read(ref _fileReads);

    /// <summary>Gets a snapshot of the environment variables.</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(_variables, StringComparer.Ordinal);

    /// <summary>Gets a snapshot of the paths of the files that can be read (those added with
    /// <see cref="WithFile(string, string)"/>), in ordinal order.</summary>
    public IReadOnlyList<string> FilePaths => [.. _files.Where(f => f.Value.Error is null).Select(f => f.Key).Order(StringComparer.Ordinal)];

    /// <summary>Sets an environment variable, or removes it when <paramref name="value"/> is <see langword="null"/>.</summary>
    /// <param name="name">The variable's name.</param>
    /// <param name="value">The value, or <see langword="null"/> to unset it.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <see langword="null"/> or empty.</exception>
    public FakeSystemEnvironment Set(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
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

    /// <summary>Sets the home directory.</summary>
    /// <param name="path">The directory, or <see langword="null"/> for none.</param>
    /// <returns>This instance.</returns>
    public FakeSystemEnvironment WithHomeDirectory(string? path)
    {
        HomeDirectory = path;
        return this;
    }

    /// <summary>Adds or replaces a file with UTF-8 text.</summary>
    /// <param name="path">The file's path, as the code under test will ask for it.</param>
    /// <param name="content">The text.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is <see langword="null"/>.</exception>
    public FakeSystemEnvironment WithFile(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return WithFile(path, Encoding.UTF8.GetBytes(content));
    }

    /// <summary>Adds or replaces a file. The bytes are copied.</summary>
    /// <param name="path">The file's path, as the code under test will ask for it.</param>
    /// <param name="content">The bytes.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is <see langword="null"/>.</exception>
    public FakeSystemEnvironment WithFile(string path, ReadOnlySpan<byte> content)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _files[path] = new FileEntry(content.ToArray(), null);
        return this;
    }

    /// <summary>Makes reading a file fail with <paramref name="error"/> (for example an
    /// <see cref="UnauthorizedAccessException"/> for a file the process may not read).</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="error">The exception every read of it raises.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public FakeSystemEnvironment WithFileError(string path, Exception error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(error);
        _files[path] = new FileEntry(null, error);
        return this;
    }

    /// <summary>Removes a file (or a file error); reading it then raises <see cref="FileNotFoundException"/>.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>This instance.</returns>
    public FakeSystemEnvironment RemoveFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _files.TryRemove(path, out _);
        return this;
    }

    /// <summary>Gets a file's text as last written, or <see langword="null"/> when there is no such file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The UTF-8 text, or <see langword="null"/>.</returns>
    public string? GetFileText(string path) =>
        _files.TryGetValue(path, out FileEntry? entry) && entry.Content is { } content ? Encoding.UTF8.GetString(content) : null;

    /// <inheritdoc />
    public string? GetEnvironmentVariable(string name) => _variables.TryGetValue(name, out string? value) ? value : null;

    /// <inheritdoc />
    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _fileReads);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<byte[]>(cancellationToken);
        }

        if (!_files.TryGetValue(path, out FileEntry? entry))
        {
            return ValueTask.FromException<byte[]>(new FileNotFoundException($"Could not find file '{path}'.", path));
        }

        if (entry.Error is { } error)
        {
            return ValueTask.FromException<byte[]>(error);
        }

        byte[] content = entry.Content!;
        return content.Length > maxBytes
            ? ValueTask.FromException<byte[]>(new InvalidDataException($"The file '{path}' is larger than the {maxBytes} bytes accepted."))
            : ValueTask.FromResult(content.ToArray());
    }

    private sealed record FileEntry(byte[]? Content, Exception? Error);
}
