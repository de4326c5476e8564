using System.Diagnostics;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Security;

/// <summary>
/// AWS shared config profiles written to redirect a call, to hang a refresh or to loop: each fails with a typed error
/// naming the fix, before any request to AWS STS.
/// </summary>
public sealed class HostileProfileTests : IDisposable
{
    private readonly FakeHttpHandler _http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _owned = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("crosscloudauth-profiles-").FullName;

    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("[profile evil]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = evil\n", "evil", "source_profile")]
    [InlineData("[profile a]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n", "a", "source_profile")]
    [InlineData("[profile evil]\nregion = us-east-1.evil.example/x\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n", "evil", "region")]
    [InlineData("[profile evil]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = missing\n", "evil", "missing")]
    public async Task GetAsync_HostileProfile_IsRefusedBeforeAnyRequest(string config, string profile, string expected)
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/home/test/.aws/config", config).WithFile("/t", "a.b.c");

        CrossCloudAuthException error = await Assert.ThrowsAnyAsync<CrossCloudAuthException>(async () => await Create(profile, environment).GetAsync());

        Assert.True(error is CredentialConfigurationException or CredentialSourceUnavailableException, error.ToString());
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task GetAsync_WebIdentityTokenFileIsAFifo_FailsAtOnceWithoutOpeningIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string fifo = Path.Combine(_directory, "token");
        using (Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        string config = Path.Combine(_directory, "config");
        await File.WriteAllTextAsync(config, $"[profile fifo]\nrole_arn = arn:aws:iam::111122223333:role/r\nweb_identity_token_file = {fifo}\nregion = us-east-1\n");
        AwsProfileCredentialSourceOptions options = new() { ProfileName = "fifo", ConfigFile = config, CredentialsFile = Path.Combine(_directory, "credentials") };
        options.Sts.HttpClient = _http.CreateClient();
        options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        AwsProfileCredentialSource source = new(options, SystemEnvironment.Instance, _time);
        _owned.Add(source);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(async () => await source.GetAsync());

        Assert.Contains("regular file", error.Message, StringComparison.Ordinal);
        Assert.Empty(_http.Requests);
    }

    private AwsProfileCredentialSource Create(string profile, FakeSystemEnvironment environment)
    {
        AwsProfileCredentialSourceOptions options = new() { ProfileName = profile };
        options.Sts.HttpClient = _http.CreateClient();
        options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        AwsProfileCredentialSource source = new(options, environment, _time);
        _owned.Add(source);
        return source;
    }
}
