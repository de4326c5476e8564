using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Google.Impersonation;

public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2020-05-13T16:00:00Z", 0)]
    [InlineData("2020-05-13T16:00:00.0Z", 0)]
    [InlineData("2020-05-13T16:00:00.045Z", 450_000)]
    [InlineData("2020-05-13T16:00:00.045123Z", 451_230)]
    [InlineData("2020-05-13T16:00:00.0451234Z", 451_234)]
    [InlineData("2020-05-13T16:00:00.04512345Z", 451_234)]
    [InlineData("2020-05-13T16:00:00.045123456Z", 451_234)]
    [InlineData("2020-05-13t16:00:00.5z", 5_000_000)]
    public void TryParse_ZeroToNineFractionalDigits_Parses(string text, long extraTicks)
    {
        Assert.True(Rfc3339.TryParse(text, out DateTimeOffset value));
        Assert.Equal(new DateTimeOffset(2020, 5, 13, 16, 0, 0, TimeSpan.Zero).AddTicks(extraTicks), value);
    }

    [Fact]
    public void TryParse_Offset_ConvertsToTheSameInstant()
    {
        Assert.True(Rfc3339.TryParse("2020-05-13T18:00:00.123456789+02:00", out DateTimeOffset value));
        Assert.Equal(new DateTimeOffset(2020, 5, 13, 16, 0, 0, TimeSpan.Zero).AddTicks(1_234_567), value.ToUniversalTime());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2020-05-13T16:00:00")]
    [InlineData("2020-05-13T16:00:00.Z")]
    [InlineData("2020-05-13T16:00:00.0123456789Z")]
    [InlineData("2020-05-13 16:00:00Z")]
    [InlineData("1589385600")]
    public void TryParse_NotRfc3339_Fails(string? text)
    {
        Assert.False(Rfc3339.TryParse(text, out _));
    }
}
