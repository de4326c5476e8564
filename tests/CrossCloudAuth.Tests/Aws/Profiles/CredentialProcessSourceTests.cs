using System.ComponentModel;
using System.Text;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Profiles;

public sealed class CredentialProcessSourceTests
{
    private const string Hop = "aws-profile:tools";
    private const string Secret = "processSecretDoNotLeak000000000000000001";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    [Fact]
    public async Task GetAsync_FullAnswer_ReturnsTemporaryCredentials()
    {
        ScriptedProcessRunner runner = new($$"""{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "{{Secret}}", "SessionToken": "session", "Expiration": "2026-12-01T13:00:00Z"}""");

        AwsCredentials credentials = await Create("get-creds --profile x", runner).GetAsync();

        Assert.Equal("ASIAPROCESS", credentials.AccessKeyId);
        Assert.Equal(Secret, credentials.SecretAccessKey);
        Assert.Equal("session", credentials.SessionToken);
        Assert.Equal(Now.AddHours(1), credentials.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_NoExpirationOrSessionToken_ReturnsLongTermCredentials()
    {
        AwsCredentials credentials = await Create("get-creds", new ScriptedProcessRunner($$"""{"Version":1,"AccessKeyId":"AKIAPROCESS","SecretAccessKey":"{{Secret}}"}""")).GetAsync();

        Assert.False(credentials.IsTemporary);
        Assert.Null(credentials.SessionToken);
    }

    [Fact]
    public async Task GetAsync_Always_RunsTheCommandThroughTheShellWithADeadlineAndAnOutputCap()
    {
        ScriptedProcessRunner runner = new($$"""{"Version":1,"AccessKeyId":"AKIAPROCESS","SecretAccessKey":"{{Secret}}"}""");

        await Create("/opt/bin/get-creds --role 'a b'", runner).GetAsync();

        System.Diagnostics.ProcessStartInfo started = Assert.Single(runner.Started);
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal("cmd.exe", started.FileName);
        }
        else
        {
            Assert.Equal("/bin/sh", started.FileName);
            Assert.Equal(["-c", "/opt/bin/get-creds --role 'a b'"], started.ArgumentList);
        }

        Assert.Equal(TimeSpan.FromMinutes(1), Assert.Single(runner.Timeouts));
        Assert.Equal(64 * 1024, Assert.Single(runner.OutputLimits));
    }

    [Fact]
    public async Task GetAsync_NonZeroExit_ThrowsWithTheExitCodeAndNothingItPrinted()
    {
        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() =>
            Create("get-creds", new ScriptedProcessRunner($"login required for {Secret}", exitCode: 3)).GetAsync().AsTask());

        Assert.Equal("3", error.ErrorCode);
        Assert.Equal(Hop, error.HopName);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_Timeout_ThrowsTransient()
    {
        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() =>
            Create("get-creds", new ScriptedProcessRunner(new TimeoutException())).GetAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Contains("60 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TooMuchOutput_ThrowsNotTransient()
    {
        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() =>
            Create("get-creds", new ScriptedProcessRunner(new InvalidDataException())).GetAsync().AsTask());

        Assert.False(error.IsTransient);
        Assert.Contains("65536 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ShellCannotStart_ThrowsConfiguration() =>
        await Assert.ThrowsAsync<CredentialConfigurationException>(() =>
            Create("get-creds", new ScriptedProcessRunner(new Win32Exception(2))).GetAsync().AsTask());

    [Theory]
    [InlineData("not json " + Secret, "not JSON")]
    [InlineData("[\"" + Secret + "\"]", "not a JSON object")]
    [InlineData("{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\"}", "\"Version\"")]
    [InlineData("{\"Version\":\"1\",\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\"}", "\"Version\"")]
    [InlineData("{\"Version\":2,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\"}", "other than 1")]
    [InlineData("{\"Version\":1,\"SecretAccessKey\":\"" + Secret + "\"}", "\"AccessKeyId\"")]
    [InlineData("{\"Version\":1,\"AccessKeyId\":\"AKIA\"}", "\"SecretAccessKey\"")]
    [InlineData("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":[\"" + Secret + "\"]}", "not a string")]
    [InlineData("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\",\"Expiration\":\"next week\"}", "RFC 3339")]
    [InlineData("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\",\"Expiration\":\"2026-12-01T11:59:59Z\"}", "expired")]
    [InlineData("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"" + Secret + "\"", "not JSON")]
    public void Parse_BrokenOrHostileOutput_ThrowsNamingTheProblemWithoutQuotingIt(string output, string expected)
    {
        CredentialRequestFailedException error = Assert.Throws<CredentialRequestFailedException>(() => CredentialProcessSource.Parse(Encoding.UTF8.GetBytes(output), Hop, Now));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // a POSIX shell command
    public async Task GetAsync_RealProcess_ReadsWhatTheShellCommandPrints()
    {
        CredentialProcessSource source = new(
            """printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}' AKIAREALPROCESS "$(echo s3cr3t)" """,
            Hop,
            TimeProvider.System);

        AwsCredentials credentials = await source.GetAsync();

        Assert.Equal("AKIAREALPROCESS", credentials.AccessKeyId);
        Assert.Equal("s3cr3t", credentials.SecretAccessKey);
    }

    private CredentialProcessSource Create(string command, IProcessRunner runner) => new(command, Hop, _time, runner);
}
