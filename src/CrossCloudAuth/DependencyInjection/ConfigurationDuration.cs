using System.Globalization;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// How a duration is written in configuration: <c>01:00:00</c> (hh:mm:ss, also <c>d.hh:mm:ss</c>), or a number with a
/// unit, <c>3600s</c>, <c>60m</c>, <c>1h</c> (the unit form of Google's <c>Duration</c>). A bare number is refused:
/// .NET's binder reads <c>3600</c> as 3,600 days while AWS (<c>DurationSeconds</c>) and Google
/// (<c>token_lifetime_seconds</c>) settings use seconds, so whichever unit were chosen, a value copied from the other
/// world would silently be wrong by a factor of 86,400; asking for a unit costs one edit, found at start-up.
/// </summary>
internal static class ConfigurationDuration
{
    /// <summary>The accepted forms, for messages.</summary>
    public const string AcceptedForms = "hh:mm:ss (01:00:00, or d.hh:mm:ss for days) or a number with a unit (3600s, 60m, 1h)";

    public enum Outcome
    {
        Parsed,
        BareNumber,
        Invalid,
    }

    public static Outcome Parse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return Outcome.Invalid;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) ? Outcome.Parsed : Outcome.Invalid;
        }

        if (IsNumber(text))
        {
            return Outcome.BareNumber;
        }

        double unit = char.ToLowerInvariant(text[^1]) switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => 0,
        };
        string number = text[..^1].TrimEnd();
        if (unit == 0 || !IsNumber(number)
            || !double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return Outcome.Invalid;
        }

        double seconds = amount * unit;
        if (!double.IsFinite(seconds) || Math.Abs(seconds) >= TimeSpan.MaxValue.TotalSeconds)
        {
            return Outcome.Invalid;
        }

        value = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        return Outcome.Parsed;
    }

    private static bool IsNumber(string text)
    {
        int start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        bool digits = false;
        bool point = false;
        for (int i = start; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                digits = true;
            }
            else if (text[i] == '.' && !point)
            {
                point = true;
            }
            else
            {
                return false;
            }
        }

        return digits;
    }
}
