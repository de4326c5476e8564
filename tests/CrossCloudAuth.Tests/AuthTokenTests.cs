namespace CrossCloudAuth.Tests;

public sealed class AuthTokenTests
{
    [Fact]
    public void ToString_Always_ShowsTypeAndExpiryButNeverTheToken()
    {
        AuthToken token = new("ya29.a0-very-secret", new DateTimeOffset(2026, 11, 23, 13, 0, 0, TimeSpan.Zero));

        string text = token.ToString();

        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        Assert.Contains("Bearer", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-23T13:00:00", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyToken_Throws()
    {
        Assert.ThrowsAny<ArgumentException>(() => new AuthToken("", DateTimeOffset.MaxValue));
    }
}
