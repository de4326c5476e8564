using System.Diagnostics;
using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Google.SubjectTokens;

public sealed class ExecutableSubjectTokenSourceTests
{
    private const string Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/o";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().Set("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");

    [Fact]
    public void Constructor_ExecutablesNotAllowed_Throws()
    {
        _environment.Set("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", null);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => Create(new ScriptedProcessRunner("{}")));

        Assert.Contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_OidcResponse_PassesEnvironmentAndReturnsIdToken()
    {
        ScriptedProcessRunner runner = new($$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.IdToken}}","id_token":"oidc-token","expiration_time":{{s_now.AddHours(1).ToUnixTimeSeconds()}}}""");
        ExecutableSubjectTokenSource source = Create(runner, outputFile: "/tmp/out.json", email: "sa@p.iam.gserviceaccount.com");

        Assert.Equal("oidc-token", await source.GetSubjectTokenAsync());

        ProcessStartInfo started = Assert.Single(runner.Started);
        Assert.Equal("/usr/local/bin/get-token", started.FileName);
        Assert.Equal(["--audience=pool", "--verbose"], started.ArgumentList);
        Assert.Equal(Audience, started.Environment["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"]);
        Assert.Equal(SubjectTokenTypes.IdToken, started.Environment["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"]);
        Assert.Equal("0", started.Environment["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"]);
        Assert.Equal("sa@p.iam.gserviceaccount.com", started.Environment["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"]);
        Assert.Equal("/tmp/out.json", started.Environment["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"]);
        Assert.Equal(TimeSpan.FromSeconds(5), runner.Timeouts.Single());
    }

    [Fact]
    public async Task GetSubjectTokenAsync_SamlResponseWithoutExpiration_ReturnsAssertion()
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner($$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Saml2}}","saml_response":"PHNhbWw+"}"""));

        Assert.Equal("PHNhbWw+", await source.GetSubjectTokenAsync());
    }

    [Fact]
    public async Task GetSubjectTokenAsync_ValidOutputFile_DoesNotRunTheProgram()
    {
        _environment.WithFile("/tmp/out.json", $$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Jwt}}","id_token":"cached","expiration_time":{{s_now.AddMinutes(5).ToUnixTimeSeconds()}}}""");
        ScriptedProcessRunner runner = new("{}");
        ExecutableSubjectTokenSource source = Create(runner, outputFile: "/tmp/out.json");

        Assert.Equal("cached", await source.GetSubjectTokenAsync());
        Assert.Empty(runner.Started);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_ExpiredOutputFile_RunsTheProgram()
    {
        _environment.WithFile("/tmp/out.json", $$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Jwt}}","id_token":"old","expiration_time":{{s_now.AddMinutes(-1).ToUnixTimeSeconds()}}}""");
        ScriptedProcessRunner runner = new($$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Jwt}}","id_token":"new","expiration_time":{{s_now.AddHours(1).ToUnixTimeSeconds()}}}""");
        ExecutableSubjectTokenSource source = Create(runner, outputFile: "/tmp/out.json");

        Assert.Equal("new", await source.GetSubjectTokenAsync());
        Assert.Single(runner.Started);
    }

    [Theory]
    [InlineData("""{"version":1,"success":false,"code":"401","message":"User not signed in."}""", "reported failure 401: \"User not signed in.\"")]
    [InlineData("""{"version":1,"success":false}""", "without the required \"code\" and \"message\"")]
    [InlineData("""{"version":2,"success":true}""", "protocol version 2")]
    [InlineData("""{"success":true}""", "no \"version\" field")]
    [InlineData("""{"version":1}""", "no \"success\" field")]
    [InlineData("""{"version":1,"success":true,"id_token":"x"}""", "no \"token_type\" field")]
    [InlineData("""{"version":1,"success":true,"token_type":"urn:x","id_token":"x"}""", "unsupported token_type")]
    [InlineData("""{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt"}""", "no \"id_token\" field")]
    [InlineData("""{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"x","expiration_time":1}""", "already expired")]
    [InlineData("secret-token-value", "not a valid JSON response")]
    public async Task GetSubjectTokenAsync_BadResponse_ThrowsWithoutTheOutput(string output, string expected)
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner(output));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("executable:/usr/local/bin/get-token", error.HopName);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_OutputFileWithoutExpiration_Throws()
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner($$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Jwt}}","id_token":"x"}"""), outputFile: "/tmp/out.json");

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("expiration_time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_NonZeroExit_Throws()
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner("{}", exitCode: 3));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_Timeout_ThrowsTransient()
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner(new TimeoutException()));

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Contains("timeout_millis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_AllowVariableRemovedLater_Throws()
    {
        ExecutableSubjectTokenSource source = Create(new ScriptedProcessRunner("{}"));
        _environment.Set("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "0");

        await Assert.ThrowsAsync<CredentialConfigurationException>(() => source.GetSubjectTokenAsync().AsTask());
    }

    [Fact]
    public void Constructor_TimeoutOutOfRange_Throws()
    {
        Assert.Throws<CredentialConfigurationException>(() => new ExecutableSubjectTokenSource(
            new ExecutableSubjectTokenSourceOptions { Command = "/bin/true", Audience = Audience, Timeout = TimeSpan.FromMinutes(3), Environment = _environment }));
    }

    [Fact]
    public async Task GetSubjectTokenAsync_RealProcess_ReadsItsStandardOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string script = Path.Combine(Path.GetTempPath(), $"cca-exec-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nprintf '{\"version\":1,\"success\":true,\"token_type\":\"%s\",\"id_token\":\"from-%s\"}' \"$GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE\" \"$1\"\n");
        try
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            ExecutableSubjectTokenSource source = new(new ExecutableSubjectTokenSourceOptions
            {
                Command = $"{script} shell",
                Audience = Audience,
                SubjectTokenType = SubjectTokenTypes.Jwt,
                Timeout = TimeSpan.FromSeconds(30),
                Environment = _environment,
            });

            Assert.Equal("from-shell", await source.GetSubjectTokenAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            File.Delete(script);
        }
    }

    private ExecutableSubjectTokenSource Create(ScriptedProcessRunner runner, string? outputFile = null, string? email = null) => new(
        new ExecutableSubjectTokenSourceOptions
        {
            Command = "/usr/local/bin/get-token  --audience=pool --verbose",
            Timeout = TimeSpan.FromSeconds(5),
            OutputFile = outputFile,
            Audience = Audience,
            SubjectTokenType = SubjectTokenTypes.IdToken,
            ImpersonatedServiceAccountEmail = email,
            Environment = _environment,
            TimeProvider = _time,
        },
        runner);
}
