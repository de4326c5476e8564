using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Google.SubjectTokens;

/// <summary>Subject token content in the text and json(field) formats, as files, URLs and executables return it.</summary>
public sealed class SubjectTokenFormatFuzzTests
{
    private const string Secret = "fuzzSUBJECTtokenSECRET0000000000";

    private static readonly Gen<string> s_token = Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."], 1, 300].Select(t => "t" + t);

    private static readonly Gen<JsonObject> s_valid = s_token.Select(token => new JsonObject { ["id_token"] = Secret + token, ["expires_in"] = 3600, ["other"] = new JsonObject { ["a"] = new JsonArray(1, 2) } });

    private static readonly Gen<SubjectTokenFormat> s_format = Gen.OneOf(SubjectTokenFormat.Text, SubjectTokenFormat.Json("id_token"), SubjectTokenFormat.Json("missing"));

    [Fact]
    public void Extract_HostileContent_ThrowsOnlyTheLibrarysExceptions() =>
        Fuzz.Check(from content in Hostile.Documents(s_valid) from format in s_format select (content, format), input =>
        {
            if (Expect.Parses(() => input.format.Extract(input.content, "file:/token", "subject token file"), input.content.Length, out string? token, [Secret]))
            {
                Assert.InRange(token!.Length, 1, input.content.Length);
            }
        }, baseCount: 800, print: input => $"{input.format} {Fuzz.Printable(input.content)}");

    [Fact]
    public void Extract_ValidContent_RoundTrips() =>
        Fuzz.Check(from token in s_token from json in Gen.Bool from padding in Gen.OneOf("", " ", "\n", "\r\n", "\t ") select (token, json, padding), input =>
        {
            string content = input.json ? $"{input.padding}{{\"id_token\":\"{input.token}\",\"n\":1}}{input.padding}" : input.padding + input.token + input.padding;
            SubjectTokenFormat format = input.json ? SubjectTokenFormat.Json("id_token") : SubjectTokenFormat.Text;

            Assert.Equal(input.token, format.Extract(Encoding.UTF8.GetBytes(content), "file:/token", "subject token file"));
        }, baseCount: 200);

    [Fact]
    public async Task GetSubjectTokenAsync_HostileFile_ThrowsOnlyTheLibrarysExceptions()
    {
        FakeSystemEnvironment environment = new();
        FileSubjectTokenSource source = new("/token", SubjectTokenTypes.Jwt, environment, SubjectTokenFormat.Json("id_token"));
        await Fuzz.CheckAsync(Hostile.Documents(s_valid), async content =>
        {
            environment.WithFile("/token", content);
            await Expect.ParsesAsync(() => source.GetSubjectTokenAsync().AsTask(), [Secret]);
        }, baseCount: 200, print: content => Fuzz.Printable(content));
    }
}
