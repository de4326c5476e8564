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
    public async ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);

        // A FIFO, a device, a socket and procfs files all report a size of 0, and opening a FIFO blocks until a writer
        // comes, ignoring cancellation. None of them is ever opened: they read as empty, like an empty regular file.
        FileInfo info = new(path);
        if (info.Exists && info.Length == 0)
        {
            return [];
        }

        FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
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

                int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total == buffer.Length ? buffer : buffer.AsSpan(0, total).ToArray();
        }
    }
}
