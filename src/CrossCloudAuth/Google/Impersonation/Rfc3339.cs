using System.Globalization;

namespace CrossCloudAuth.Google;

/// <summary>Parses RFC 3339 timestamps with 0 to 9 fractional digits, as IAM Credentials sends them
/// (<c>2020-05-13T16:00:00Z</c>, <c>2020-05-13T16:00:00.045123456Z</c>); .NET parses at most 7.</summary>
internal static class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length > 40)
        {
            return false;
        }

        // RFC 3339 allows lower-case 't' and 'z'.
        text = text.ToUpperInvariant();
        ReadOnlySpan<char> span = text;
        int dot = span.IndexOf('.');
        if (dot >= 0)
        {
            int end = dot + 1;
            while (end < span.Length && char.IsAsciiDigit(span[end]))
            {
                end++;
            }

            int digits = end - dot - 1;
            if (digits is 0 or > 9)
            {
                return false;
            }

            // Keep at most 7 digits (100 ns ticks); dropping the rest loses under 100 ns.
            string trimmed = string.Concat(span[..(dot + 1 + Math.Min(digits, 7))], span[end..]);
            span = trimmed;
            return DateTimeOffset.TryParseExact(span, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
                && HasZone(text);
        }

        return DateTimeOffset.TryParseExact(span, "yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            && HasZone(text);
    }

    private static bool HasZone(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');
}
