using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Google.SubjectTokens;

public sealed class FileSubjectTokenSourceTests
{
    private const string Path = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    [Fact]
    public async Task GetSubjectTokenAsync_TextFile_ReturnsTrimmedContent()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile(Path, "header.payload.signature\n");
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, environment: environment);

        Assert.Equal("header.payload.signature", await source.GetSubjectTokenAsync());
        Assert.Equal($"file:{Path}", source.HopName);
        Assert.Equal(SubjectTokenTypes.Jwt, source.SubjectTokenType);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_FileRotated_ReturnsTheNewTokenEveryCall()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile(Path, "token-1");
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, environment: environment);

        Assert.Equal("token-1", await source.GetSubjectTokenAsync());
        environment.WithFile(Path, "token-2");
        Assert.Equal("token-2", await source.GetSubjectTokenAsync());
        Assert.Equal(2, environment.FileReads);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_JsonFormat_ReturnsTheField()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile(Path, """{"access_token":"the-token","other":1}""");
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.IdToken, environment, SubjectTokenFormat.Json("access_token"));

        Assert.Equal("the-token", await source.GetSubjectTokenAsync());
    }

    [Fact]
    public async Task GetSubjectTokenAsync_MissingFile_ThrowsUnavailableWithIrsaHint()
    {
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, environment: new FakeSystemEnvironment());

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Equal($"file:{Path}", error.HopName);
        Assert.Contains("eks.amazonaws.com/role-arn", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n\t")]
    public async Task GetSubjectTokenAsync_EmptyFile_ThrowsUnavailable(string content)
    {
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, environment: new FakeSystemEnvironment().WithFile(Path, content));

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_HugeFile_ThrowsConfiguration()
    {
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, environment: new FakeSystemEnvironment().WithFile(Path, new byte[2 * 1024 * 1024]));

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id_token":"secret-token-value"}""", "no string field \"access_token\"")]
    [InlineData("""{"access_token":42}""", "no string field \"access_token\"")]
    [InlineData("""["secret-token-value"]""", "not a JSON object")]
    [InlineData("secret-token-value", "not valid JSON")]
    public async Task GetSubjectTokenAsync_JsonFormatWithBadContent_ThrowsWithoutTheContent(string content, string expected)
    {
        FileSubjectTokenSource source = new(Path, SubjectTokenTypes.Jwt, new FakeSystemEnvironment().WithFile(Path, content), SubjectTokenFormat.Json("access_token"));

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", error.ToString(), StringComparison.Ordinal);
    }
}
