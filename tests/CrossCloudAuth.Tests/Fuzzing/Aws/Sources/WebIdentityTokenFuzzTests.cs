using System.Text;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Aws.Sources;

/// <summary>Projected web identity token files.</summary>
public sealed class WebIdentityTokenFuzzTests
{
    private const string Path = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    private static readonly Gen<string> s_segment = Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"], 1, 400];

    private static readonly Gen<string> s_jwt = from header in s_segment from payload in s_segment from signature in s_segment select $"{header}.{payload}.{signature}";

    [Fact]
    public async Task ReadAsync_HostileFile_ThrowsOnlyTheDocumentedExceptions() =>
        await Fuzz.CheckAsync(Gen.OneOf(Hostile.Bytes, Hostile.Text.Select(Hostile.Utf8), s_jwt.Select(jwt => Hostile.Utf8(jwt)).SelectMany(Damaged)), async bytes =>
        {
            (bool ok, (string Token, string Path) read) = await Expect.ParsesAsync(() => Read(bytes));
            if (ok)
            {
                Assert.True(WebIdentityToken.LooksLikeJwt(read.Token));
                Assert.True(read.Token.Length <= bytes.Length);
            }
            else
            {
                // Nothing but white space is a file mid-rotation (unavailable); anything else is not a token file.
                Exception error = await Record.ExceptionAsync(() => Read(bytes));
                bool blank = Encoding.UTF8.GetString(bytes).Trim().Length == 0;
                Assert.IsType(blank ? typeof(CredentialSourceUnavailableException) : typeof(CredentialConfigurationException), error);
            }
        }, baseCount: 400, print: bytes => Fuzz.Printable(bytes));

    [Fact]
    public async Task ReadAsync_TokenWithSurroundingWhiteSpace_RoundTrips() =>
        await Fuzz.CheckAsync(from jwt in s_jwt from before in Gen.OneOf("", " ", "\n", "\r\n\t") from after in Gen.OneOf("", "\n", "\r\n", "  \n") select (jwt, before, after), async input =>
        {
            (string token, _) = await Read(Encoding.UTF8.GetBytes(input.before + input.jwt + input.after));

            Assert.Equal(input.jwt, token);
        }, baseCount: 100);

    private static Gen<byte[]> Damaged(byte[] jwt) =>
        from at in Gen.Int[0, jwt.Length]
        from insert in Gen.OneOf<byte[]>([0], [0xEF, 0xBB, 0xBF], [0xC3, 0x28], "."u8.ToArray(), " "u8.ToArray(), "\n"u8.ToArray())
        select (byte[])[.. jwt[..at], .. insert, .. jwt[at..]];

    private static Task<(string Token, string Path)> Read(byte[] content) =>
        WebIdentityToken.ReadAsync(new FakeSystemEnvironment().WithFile(Path, content), Path, CancellationToken.None).AsTask();
}
