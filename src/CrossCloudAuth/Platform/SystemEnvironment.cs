namespace CrossCloudAuth.Platform;

/// <summary>The real process environment and file system.</summary>
public sealed class SystemEnvironment : ISystemEnvironment
{
    private SystemEnvironment()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static SystemEnvironment Instance { get; } = new();

    /// <inheritdoc />
    public string? HomeDirectory
    {
        get
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return home.Length == 0 ? null : home;
        }
    }

    /// <inheritdoc />
#pragma warning disable RS0030 // This type is the one sanctioned reader of the process environment.
    public string? GetEnvironmentVariable(string name) => Environment.GetEnvironmentVariable(name);
#pragma warning restore RS0030

    /// <inheritdoc />
    /// <remarks>The files read here are small (a projected token, a credential configuration, an AWS config file),
    /// so they are read synchronously on the caller's thread: an asynchronous <see cref="FileStream"/> on Unix hands
    /// every read to the thread pool, which costs a short-lived credential process more than the read itself.</remarks>
    public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        try
        {
            return ValueTask.FromResult(ReadFile(path, maxBytes, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<byte[]>(cancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<byte[]>(e);
        }
    }

    private static byte[] ReadFile(string path, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        cancellationToken.ThrowIfCancellationRequested();

        // A FIFO, a device, a socket and procfs files all report a size of 0, and opening a FIFO blocks until a writer
        // comes, ignoring cancellation. None of them is ever opened: they read as empty, like an empty regular file.
        FileInfo info = new(path);
        if (info.Exists && info.Length == 0)
        {
            return [];
        }

        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.None);

        // Read up to one byte past the limit, whatever the file claims its length is (procfs and pipes lie).
        byte[] buffer = new byte[Math.Min(maxBytes + 1L, stream.CanSeek ? stream.Length + 1 : maxBytes + 1L)];
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    throw new InvalidDataException($"The file '{path}' is larger than the {maxBytes} bytes accepted.");
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
            }

            cancellationToken.ThrowIfCancellationRequested();
            int read = stream.Read(buffer.AsSpan(total));
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total == buffer.Length ? buffer : buffer.AsSpan(0, total).ToArray();
    }
}
