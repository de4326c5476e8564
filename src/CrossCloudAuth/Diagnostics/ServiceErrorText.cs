using System.Text;
using System.Text.RegularExpressions;

namespace CrossCloudAuth.Diagnostics;

/// <summary>
/// Makes a service's error description safe to quote in an exception message: bounded, single-line, and with
/// anything shaped like a token (a JWT, a Google access token) replaced, whatever the service echoed back.
/// </summary>
internal static partial class ServiceErrorText
{
    private const int MaxLength = 400;

    public static string Quote(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no description)";
        }

        // Redact before cutting: a token cut at the limit no longer looks like one and would be quoted in part.
        StringBuilder clean = new(text.Length);
        foreach (char c in text)
        {
            clean.Append(char.IsControl(c) ? ' ' : c);
        }

        string result = TokenLike().Replace(clean.ToString().Trim(), "<redacted>");
        return result.Length > MaxLength ? string.Concat(result.AsSpan(0, MaxLength), "…") : result;
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|ya29\.[A-Za-z0-9_.-]+|(?:ASIA|AKIA)[A-Z0-9]{12,}|Signature=[0-9a-f]{16,}", RegexOptions.CultureInvariant)]
    private static partial Regex TokenLike();
}
