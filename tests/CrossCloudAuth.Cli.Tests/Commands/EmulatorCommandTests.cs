using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace CrossCloudAuth.Cli.Tests.Commands;

public sealed class EmulatorCommandTests
{
    [Fact]
    public async Task Emulator_Started_PrintedVariablesServeTheLibraryAndCancelStopsIt()
    {
        var output = new SignallingWriter("Press Ctrl+C to stop.");
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var host = new CliHost(new TestEnvironment(new Dictionary<string, string>()), output, error);

        Task<int> running = CrossCloudCli.RunAsync(["emulator"], host, stop.Token);
        await output.Seen.WaitAsync(TimeSpan.FromSeconds(60));
        Dictionary<string, string> exported = Regex.Matches(output.Text(), "^export ([A-Z_]+)=(.*)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim().Trim('\''));

        CliResult token = await CliRunner.RunAsync(exported, "token");
        CliResult doctor = await CliRunner.RunAsync(exported, "doctor");

        Assert.Equal(ExitCodes.Success, token.ExitCode);
        Assert.Equal(ExitCodes.Success, doctor.ExitCode);
        var sts = new Uri(exported["AWS_ENDPOINT_URL_STS"]);
        string directory = Path.GetDirectoryName(exported["GOOGLE_APPLICATION_CREDENTIALS"])!;

        await stop.CancelAsync();
        int code = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("stopped", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(sts.Host, sts.Port));
    }
}
