using System.Net;
using System.Net.Http.Headers;
using CrossCloudAuth.Cli.Emulator;

namespace CrossCloudAuth.Cli.Tests.Commands;

public sealed class TokenCommandsTests
{
    [Fact]
    public async Task Token_PodWithIrsaAndCredentialConfiguration_PrintsAnAccessTokenStorageAccepts()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables, "token");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string token = result.Output.Trim();
        Assert.DoesNotContain('\n', token);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloud.Cloud.StorageEndpoint, $"storage/v1/b/{LocalCloud.Bucket}/o"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Token_Scopes_AsksIamCredentialsForThem()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables, "token", "--scopes", "https://www.googleapis.com/auth/devstorage.read_only");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(cloud.Cloud.Requests.For(CrossCloudAuth.Testing.EmulatedService.IamCredentials), r => r.Body.Contains("devstorage.read_only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdToken_Audience_PrintsAJwtForThatAudience()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables, "id-token", "--audience", "https://service.example.run.app");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        CrossCloudAuth.Cli.Doctor.JwtClaims? claims = CrossCloudAuth.Cli.Doctor.JwtClaims.TryRead(result.Output.Trim());
        Assert.NotNull(claims);
        Assert.Equal("https://service.example.run.app", claims.Audience);
    }

    [Fact]
    public async Task Token_NoCredentialConfiguration_ExitsUnavailableWithoutStackTrace()
    {
        CliResult result = await CliRunner.RunAsync(new Dictionary<string, string>(), "token");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Token_LoopbackAllowedButConfigurationNamesAnotherHost_ExitsConfigurationWithoutSendingAnything()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        string hostile = Path.Combine(cloud.Directory, "hostile.json");
        string json = await File.ReadAllTextAsync(cloud.OidcCredentialFile);
        await File.WriteAllTextAsync(hostile, json.Replace(cloud.Cloud.GoogleStsTokenUri.AbsoluteUri, "http://attacker.example/v1/token", StringComparison.Ordinal));

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables.With("GOOGLE_APPLICATION_CREDENTIALS", hostile), "token");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("token_url", result.Error, StringComparison.Ordinal);
        Assert.Contains("attacker.example", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty(cloud.Cloud.Requests.For(CrossCloudAuth.Testing.EmulatedService.GoogleSts));
    }

    [Fact]
    public async Task Run_UnknownOption_ExitsUsage()
    {
        CliResult result = await CliRunner.RunAsync(new Dictionary<string, string>(), "token", "--no-such-option");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--no-such-option", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Root_ListsEveryCommandAndTheExitCodes()
    {
        CliResult result = await CliRunner.RunAsync(new Dictionary<string, string>(), "--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (string command in (string[])["doctor", "token", "id-token", "eks-token", "emulator"])
        {
            Assert.Contains(command, result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes", result.Output, StringComparison.Ordinal);
    }
}
