namespace CrossCloudAuth.Platform;

/// <summary>
/// The one seam through which the library reads environment variables and files, so that tests and hosts
/// can substitute their own and nothing reads the real process environment behind their back.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface ISystemEnvironment
{
    /// <summary>Gets the value of an environment variable, or <see langword="null"/> when it is unset.</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    string? GetEnvironmentVariable(string name);

    /// <summary>Gets the current user's home directory (used for <c>~/.aws/config</c>), or
    /// <see langword="null"/> when there is none.</summary>
    string? HomeDirectory { get; }

    /// <summary>Reads a whole file as bytes, refusing files larger than <paramref name="maxBytes"/>. A file that is not
    /// a regular file (a FIFO, a device, a socket) must never block the caller: the real file system reads it as empty
    /// without opening it.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="maxBytes">The largest size accepted; larger files raise <see cref="InvalidDataException"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The file's content.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">A directory on the path does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The process may not read the file.</exception>
    /// <exception cref="InvalidDataException">The file is larger than <paramref name="maxBytes"/>.</exception>
    ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default);
}
