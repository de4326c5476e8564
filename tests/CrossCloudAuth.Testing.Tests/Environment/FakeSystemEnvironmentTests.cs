using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Testing.Tests.Environment;

public sealed class FakeSystemEnvironmentTests
{
    [Fact]
    public async Task ReadFileAsync_AddedReplacedRemovedAndFailing_BehavesLikeTheFileSystem()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/t", "one").WithFileError("/locked", new UnauthorizedAccessException("denied"));

        byte[] first = await environment.ReadFileAsync("/t", 16);
        environment.WithFile("/t", "two"u8);
        byte[] second = await environment.ReadFileAsync("/t", 16);
        await Assert.ThrowsAsync<InvalidDataException>(() => environment.ReadFileAsync("/t", 2).AsTask());
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => environment.ReadFileAsync("/locked", 16).AsTask());
        environment.RemoveFile("/t");
        FileNotFoundException missing = await Assert.ThrowsAsync<FileNotFoundException>(() => environment.ReadFileAsync("/t", 16).AsTask());

        Assert.Equal("one"u8.ToArray(), first);
        Assert.Equal("two"u8.ToArray(), second);
        Assert.Equal("/t", missing.FileName);
        Assert.Equal(5, environment.FileReads);
        Assert.Empty(environment.FilePaths);
    }

    [Fact]
    public void Set_NullValue_UnsetsTheVariable()
    {
        ISystemEnvironment environment = new FakeSystemEnvironment(new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" })
            .Set("B", null)
            .WithHomeDirectory("/home/app");

        Assert.Equal("1", environment.GetEnvironmentVariable("A"));
        Assert.Null(environment.GetEnvironmentVariable("B"));
        Assert.Equal("/home/app", environment.HomeDirectory);
    }

    [Fact]
    public async Task ReadFileAsync_ReturnedBytesModified_StoredFileUnchanged()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/t", "abc");

        (await environment.ReadFileAsync("/t", 16))[0] = (byte)'X';

        Assert.Equal("abc", environment.GetFileText("/t"));
    }

    [Fact]
    public async Task ReadFileAsync_ConcurrentRotation_EveryReadSeesOneWholeVersion()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/token", new string('a', 4096));

        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                environment.WithFile("/token", new string(i % 2 == 0 ? 'b' : 'a', 4096));
            }
        });
        Task<bool>[] readers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                byte[] content = await environment.ReadFileAsync("/token", 8192);
                if (content.Length != 4096 || content.Any(b => b != content[0]))
                {
                    return false;
                }
            }

            return true;
        }))];
        await writer;

        Assert.All(await Task.WhenAll(readers), Assert.True);
    }
}
