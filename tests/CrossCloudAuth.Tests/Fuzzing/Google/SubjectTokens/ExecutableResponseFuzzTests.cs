using System.Diagnostics;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.TestDoubles;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Fuzzing.Google.SubjectTokens;

/// <summary>What an executable prints, and what it leaves in its output file (Google's executable-sourced credentials).</summary>
public sealed class ExecutableResponseFuzzTests
{
    private const string OutputFile = "/tmp/fuzz-output.json";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<string> s_token = Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."], 1, 200].Select(t => "tok" + t);

    private static readonly Gen<JsonObject> s_valid =
        from token in s_token
        from type in Gen.OneOf(SubjectTokenTypes.Jwt, SubjectTokenTypes.IdToken, SubjectTokenTypes.Saml2)
        from seconds in Gen.Long[1, 253402300799 - s_now.ToUnixTimeSeconds()]
        select Response(token, type, s_now.ToUnixTimeSeconds() + seconds);

    private static readonly Gen<JsonObject> s_failure =
        from kind in Gen.Int[0, 2]
        let code = kind switch { 0 => JsonValue.Create("401"), 1 => JsonValue.Create(401), _ => (JsonNode)new JsonObject { ["a"] = 1 } }
        select new JsonObject { ["version"] = 1, ["success"] = false, ["code"] = code, ["message"] = "The user is not signed in." };

    [Fact]
    public async Task GetSubjectTokenAsync_HostileOutput_ThrowsOnlyTheLibrarysExceptions()
    {
        ScriptedRunner runner = new();
        ExecutableSubjectTokenSource source = Create(runner, new FakeSystemEnvironment().Set(ExecutableSubjectTokenSource.AllowExecutablesVariable, "1"), outputFile: null);
        await Fuzz.CheckAsync(Gen.OneOf(Hostile.Documents(s_valid), Hostile.Documents(s_failure)), async output =>
        {
            runner.Output = output;
            (bool ok, string? token) = await Expect.ParsesAsync(() => source.GetSubjectTokenAsync().AsTask());
            if (ok)
            {
                Assert.InRange(token!.Length, 1, output.Length);
            }
        }, baseCount: 600, print: output => Fuzz.Printable(output));
    }

    [Fact]
    public async Task GetSubjectTokenAsync_HostileOutputFile_ThrowsOnlyTheLibrarysExceptions()
    {
        ScriptedRunner runner = new() { Output = Hostile.Serialize(Response("fresh", SubjectTokenTypes.Jwt, s_now.ToUnixTimeSeconds() + 3600)) };
        FakeSystemEnvironment environment = new FakeSystemEnvironment().Set(ExecutableSubjectTokenSource.AllowExecutablesVariable, "1");
        ExecutableSubjectTokenSource source = Create(runner, environment, OutputFile);
        await Fuzz.CheckAsync(Gen.OneOf(Hostile.Documents(s_valid), Hostile.Documents(s_failure)), async content =>
        {
            environment.WithFile(OutputFile, content);
            (bool ok, string? token) = await Expect.ParsesAsync(() => source.GetSubjectTokenAsync().AsTask());
            if (ok)
            {
                Assert.InRange(token!.Length, 1, Math.Max(content.Length, 5));
            }
        }, baseCount: 400, print: content => Fuzz.Printable(content));
    }

    [Theory]
    [InlineData("253402300800", true)]
    [InlineData("9223372036854775807", true)]
    [InlineData("\"9223372036854775807\"", true)]
    [InlineData("-62135596801", false)]
    [InlineData("-9223372036854775808", false)]
    public async Task GetSubjectTokenAsync_ExpirationTimeOutsideTheCalendar_IsFarFutureOrFarPast(string expirationTime, bool usable)
    {
        ScriptedRunner runner = new() { Output = Hostile.Utf8($$"""{"version":1,"success":true,"token_type":"{{SubjectTokenTypes.Jwt}}","id_token":"tok","expiration_time":{{expirationTime}}}""") };
        ExecutableSubjectTokenSource source = Create(runner, new FakeSystemEnvironment().Set(ExecutableSubjectTokenSource.AllowExecutablesVariable, "1"), outputFile: null);

        if (usable)
        {
            Assert.Equal("tok", await source.GetSubjectTokenAsync());
        }
        else
        {
            CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => source.GetSubjectTokenAsync().AsTask());
            Assert.Contains("already expired", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetSubjectTokenAsync_ValidOutput_RoundTrips()
    {
        ScriptedRunner runner = new();
        ExecutableSubjectTokenSource source = Create(runner, new FakeSystemEnvironment().Set(ExecutableSubjectTokenSource.AllowExecutablesVariable, "1"), outputFile: null);
        await Fuzz.CheckAsync(s_valid, async document =>
        {
            runner.Output = Hostile.Serialize(document);

            string token = await source.GetSubjectTokenAsync();

            Assert.Equal((string?)document["id_token"] ?? (string?)document["saml_response"], token);
        }, baseCount: 100, print: document => document.ToJsonString());
    }

    private static JsonObject Response(string token, string type, long expiration) => new()
    {
        ["version"] = 1,
        ["success"] = true,
        ["token_type"] = type,
        [type == SubjectTokenTypes.Saml2 ? "saml_response" : "id_token"] = token,
        ["expiration_time"] = expiration,
    };

    private static ExecutableSubjectTokenSource Create(ScriptedRunner runner, FakeSystemEnvironment environment, string? outputFile) => new(
        new ExecutableSubjectTokenSourceOptions
        {
            Command = "/usr/local/bin/get-token --fuzz",
            Timeout = TimeSpan.FromSeconds(5),
            OutputFile = outputFile,
            Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            SubjectTokenType = SubjectTokenTypes.IdToken,
            Environment = environment,
            TimeProvider = new FakeTimeProvider(s_now),
        },
        runner);

    private sealed class ScriptedRunner : IProcessRunner
    {
        public byte[] Output { get; set; } = [];

        public Task<ProcessResult> RunAsync(ProcessStartInfo startInfo, TimeSpan timeout, int maxOutputBytes, TimeProvider timeProvider, CancellationToken cancellationToken) =>
            Task.FromResult(new ProcessResult(0, Output));
    }
}
