using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Tests.Platform;

public sealed class SystemEnvironmentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscloud-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ReadFileAsync_SmallFile_ReturnsItsBytesCompleted()
    {
        string path = Path.Combine(_directory, "token");
        await File.WriteAllBytesAsync(path, "eyJ.token.sig"u8.ToArray());

        ValueTask<byte[]> read = SystemEnvironment.Instance.ReadFileAsync(path, 64);

        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal("eyJ.token.sig"u8.ToArray(), await read);
    }

    [Fact]
    public async Task ReadFileAsync_ExactlyAtLimit_ReturnsWholeFile()
    {
        string path = Path.Combine(_directory, "limit");
        await File.WriteAllBytesAsync(path, new byte[16]);

        Assert.Equal(16, (await SystemEnvironment.Instance.ReadFileAsync(path, 16)).Length);
    }

    [Fact]
    public async Task ReadFileAsync_LargerThanLimit_FailsWithInvalidData()
    {
        string path = Path.Combine(_directory, "large");
        await File.WriteAllBytesAsync(path, new byte[17]);

        await Assert.ThrowsAsync<InvalidDataException>(() => SystemEnvironment.Instance.ReadFileAsync(path, 16).AsTask());
    }

    [Fact]
    public async Task ReadFileAsync_EmptyFile_ReturnsEmpty()
    {
        string path = Path.Combine(_directory, "empty");
        await File.WriteAllBytesAsync(path, []);

        Assert.Empty(await SystemEnvironment.Instance.ReadFileAsync(path, 16));
    }

    [Fact]
    public async Task ReadFileAsync_MissingFile_FailsInTheTaskNotTheCall()
    {
        ValueTask<byte[]> read = SystemEnvironment.Instance.ReadFileAsync(Path.Combine(_directory, "missing"), 16);

        Assert.True(read.IsFaulted);
        await Assert.ThrowsAsync<FileNotFoundException>(() => read.AsTask());
    }

    [Fact]
    public async Task ReadFileAsync_CanceledToken_IsCanceled()
    {
        string path = Path.Combine(_directory, "token");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);

        ValueTask<byte[]> read = SystemEnvironment.Instance.ReadFileAsync(path, 16, new CancellationToken(canceled: true));

        Assert.True(read.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.AsTask());
    }
}
