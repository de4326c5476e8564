using System.Globalization;
using CrossCloudAuth.Google;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Google.Impersonation;

/// <summary>RFC 3339 timestamps with 0 to 9 fractional digits (IAM Credentials' <c>expireTime</c>).</summary>
public sealed class Rfc3339FuzzTests
{
    private static readonly Gen<DateTimeOffset> s_instant = Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks].Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    private static readonly Gen<string> s_hostile = Gen.OneOf(
        Hostile.Text,
        from instant in s_instant
        from digits in Gen.Int[0, 12]
        from zone in Gen.OneOf("Z", "z", "+00:00", "-14:00", "+14:00", "+23:59", "-99:99", "", "+0000", "ZZ", " Z")
        from cut in Gen.Int[0, 40]
        from mode in Gen.Int[0, 3]
        let text = Format(instant, digits, zone)
        select mode switch { 0 => text[..Math.Min(cut, text.Length)], 1 => text.Replace('T', ' '), 2 => text.Insert(Math.Min(cut, text.Length), "\0"), _ => text },
        Gen.OneOf("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+00:01", "0001-01-01T00:00:00+14:00", "10000-01-01T00:00:00Z", ".", "..Z", ".Z", "T.Z"));

    [Fact]
    public void TryParse_HostileText_NeverThrows() =>
        Fuzz.Check(s_hostile, text =>
        {
            Assert.True(Expect.Parses(() => Rfc3339.TryParse(text, out _), text.Length, out _));
        }, baseCount: 1_000);

    [Fact]
    public void TryParse_FormattedInstant_RoundTripsTo100Nanoseconds() =>
        Fuzz.Check(from instant in s_instant from digits in Gen.Int[0, 9] from offsetMinutes in Gen.Int[-14 * 60, 14 * 60] select (instant, digits, offsetMinutes), input =>
        {
            TimeSpan offset = TimeSpan.FromMinutes(input.offsetMinutes);
            if (input.instant.UtcTicks + offset.Ticks < DateTimeOffset.MinValue.UtcTicks || input.instant.UtcTicks + offset.Ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return;
            }

            DateTimeOffset local = input.instant.ToOffset(offset);
            string zone = offset == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture);
            string text = Format(local, input.digits, zone);

            Assert.True(Rfc3339.TryParse(text, out DateTimeOffset parsed), text);
            long unit = input.digits >= 7 ? 1 : (long)Math.Pow(10, 7 - input.digits);
            Assert.Equal(input.instant.UtcTicks / unit * unit, parsed.UtcTicks);
        }, baseCount: 500);

    /// <summary>Formats an instant in its own offset with <paramref name="digits"/> fractional digits (beyond 7, zeros).</summary>
    internal static string Format(DateTimeOffset instant, int digits, string zone)
    {
        string text = instant.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (digits > 0)
        {
            string fraction = instant.ToString("fffffff", CultureInfo.InvariantCulture).PadRight(Math.Max(digits, 7), '0');
            text += "." + fraction[..digits];
        }

        return text + zone;
    }
}
