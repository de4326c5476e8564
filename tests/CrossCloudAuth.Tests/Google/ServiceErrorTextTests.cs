using CrossCloudAuth.Google;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Tests.Google;

public sealed class ServiceErrorTextTests
{
    [Theory]
    [InlineData("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl rejected", "token <redacted> rejected")]
    [InlineData("bad ya29.a0AfH6SMBx-secret.value here", "bad <redacted> here")]
    [InlineData("key ASIAEXAMPLEKEYID0001 unknown", "key <redacted> unknown")]
    [InlineData("line1\nline2\ttab", "line1 line2 tab")]
    [InlineData("", "(no description)")]
    [InlineData(null, "(no description)")]
    public void Quote_RedactsTokensAndControlCharacters(string? text, string expected)
    {
        Assert.Equal(expected, ServiceErrorText.Quote(text));
    }

    [Fact]
    public void Quote_LongText_IsBounded()
    {
        Assert.True(ServiceErrorText.Quote(new string('x', 10_000)).Length <= 401);
    }

    [Fact]
    public void JwtExpiry_ReadsExp()
    {
        DateTimeOffset exp = new(2026, 11, 23, 13, 0, 0, TimeSpan.Zero);

        Assert.True(JwtExpiry.TryRead(GoogleTestData.Jwt(exp), out DateTimeOffset read));
        Assert.Equal(exp, read);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")]
    public void JwtExpiry_NoExp_Fails(string token)
    {
        Assert.False(JwtExpiry.TryRead(token, out _));
    }
}
