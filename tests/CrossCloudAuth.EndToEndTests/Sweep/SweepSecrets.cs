using System.Net;
using System.Text.RegularExpressions;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.EndToEndTests.Sweep;

/// <summary>
/// The secrets a run actually produced, read from the emulator's request log (what the library sent: subject
/// tokens, bearer tokens, SigV4 signatures, session tokens, IMDS session tokens; what the emulator answered: access,
/// ID and STS tokens, secret keys, session tokens) plus the ones a test planted. Finds them in captured text
/// by exact value, and for keys and signatures by any 16-character piece of them.
/// </summary>
internal sealed partial class SweepSecrets
{
    /// <summary>A piece this long of a key or signature found anywhere counts as a leak.</summary>
    public const int PieceLength = 16;

    private readonly Dictionary<string, string> _whole = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pieces = new(StringComparer.Ordinal);

    /// <summary>Gets how many distinct secrets are known.</summary>
    public int Count => _whole.Count;

    /// <summary>Gets the kinds of the known secrets, for the test's own sanity checks.</summary>
    public IEnumerable<string> Kinds => _whole.Values.Distinct();

    /// <summary>Adds a secret; <paramref name="piecewise"/> also flags every 16-character piece of it.</summary>
    public void Add(string kind, string? secret, bool piecewise = false)
    {
        if (secret is null || secret.Length < 8)
        {
            return;
        }

        _whole.TryAdd(secret, kind);
        if (secret.Count(c => c == '.') == 2 && secret.StartsWith("eyJ", StringComparison.Ordinal))
        {
            // A JWT: its signature alone is a secret, and so is any piece of it.
            string signature = secret[(secret.LastIndexOf('.') + 1)..];
            _whole.TryAdd(signature, kind + " (JWT signature)");
            AddPieces(kind + " (JWT signature)", signature);

            // Quoting most of a token is a leak too, even cut before its signature.
            AddPieces(kind, secret[..secret.LastIndexOf('.')]);
        }

        if (piecewise)
        {
            AddPieces(kind, secret);
        }
    }

    /// <summary>Reads every secret the emulator saw or minted during the run.</summary>
    public void AddFromEmulator(CloudEmulator cloud)
    {
        foreach (RecordedRequest request in cloud.Requests)
        {
            foreach ((string name, string value) in request.Headers)
            {
                AddFromHeader(name, value);
            }

            foreach ((string name, string value) in request.Form)
            {
                AddFromField("request form " + name, name, value);
            }

            foreach (string pair in request.Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    AddFromField("request query", WebUtility.UrlDecode(pair[..eq]), WebUtility.UrlDecode(pair[(eq + 1)..]));
                }
            }

            AddFromText("request body", request.Body);
            AddFromText("response body", request.ResponseBody);
            if (request.Path.EndsWith("/latest/api/token", StringComparison.Ordinal) && request.StatusCode == HttpStatusCode.OK)
            {
                Add("IMDSv2 session token", request.ResponseBody.Trim(), piecewise: true);
            }
        }
    }

    /// <summary>Returns every leak in <paramref name="entries"/>: where, what kind, and a short excerpt without the secret.</summary>
    public List<string> FindLeaks(IEnumerable<(string Where, string Text)> entries)
    {
        var leaks = new List<string>();
        foreach ((string where, string text) in entries)
        {
            var kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string secret, string kind) in _whole)
            {
                int at = text.IndexOf(secret, StringComparison.Ordinal);
                if (at >= 0 && kinds.Add(kind))
                {
                    leaks.Add($"{kind} in {where}: {Before(text, at)}<{secret.Length} secret chars>");
                }
            }

            for (int i = 0; i + PieceLength <= text.Length; i++)
            {
                if (_pieces.TryGetValue(text.Substring(i, PieceLength), out string? kind) && kinds.Add(kind))
                {
                    leaks.Add($"{kind} (a {PieceLength}-character piece) in {where}: {Before(text, i)}<secret piece>");
                }
            }

            if (JwtStart().IsMatch(text) || SigV4Signature().IsMatch(text))
            {
                leaks.Add($"a secret-shaped value (JWT or SigV4 signature) in {where}");
            }
        }

        return leaks;
    }

    /// <summary>Up to 60 characters before a leak, for the failure message, with every known piece masked.</summary>
    private string Before(string text, int at)
    {
        char[] before = text[Math.Max(0, at - 60)..at].ReplaceLineEndings(" ").ToCharArray();
        string scan = new(before);
        for (int i = 0; i + PieceLength <= scan.Length; i++)
        {
            if (_pieces.ContainsKey(scan.Substring(i, PieceLength)))
            {
                Array.Fill(before, '•', i, PieceLength);
            }
        }

        return "…" + new string(before);
    }

    private void AddPieces(string kind, string secret)
    {
        for (int i = 0; i + PieceLength <= secret.Length; i++)
        {
            _pieces.TryAdd(secret.Substring(i, PieceLength), kind);
        }
    }

    private void AddFromHeader(string name, string value)
    {
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                Add("bearer token presented", value["Bearer ".Length..].Trim(), piecewise: true);
            }
            else if (value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                Add("client authentication (Basic)", value["Basic ".Length..].Trim());
            }

            AddFromText("Authorization header", value);
        }
        else if (name.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase))
        {
            Add("AWS session token presented", value, piecewise: true);
        }
        else if (name.Equals("X-aws-ec2-metadata-token", StringComparison.OrdinalIgnoreCase))
        {
            Add("IMDSv2 session token presented", value, piecewise: true);
        }
    }

    private void AddFromField(string kind, string name, string value)
    {
        switch (name)
        {
            case "subject_token":
                Add("subject token sent to Google STS", value);
                AddFromText("subject token", WebUtility.UrlDecode(value));
                AddFromText("subject token", value);
                break;
            case "WebIdentityToken":
            case "client_secret":
            case "X-Amz-Security-Token":
                Add($"{kind} ({name})", value, piecewise: true);
                break;
            case "X-Amz-Signature":
                Add("SigV4 signature (query)", value, piecewise: true);
                break;
        }
    }

    private void AddFromText(string kind, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        foreach (Match m in Jwt().Matches(text))
        {
            Add($"JWT in {kind}", m.Value);
        }

        foreach (Match m in SigV4Signature().Matches(text))
        {
            Add($"SigV4 signature in {kind}", m.Groups[1].Value, piecewise: true);
        }

        foreach (Match m in JsonSecret().Matches(text))
        {
            Add($"{m.Groups[1].Value} in {kind}", Regex.Unescape(m.Groups[2].Value), piecewise: true);
        }

        foreach (Match m in XmlSecret().Matches(text))
        {
            Add($"{m.Groups[1].Value} in {kind}", WebUtility.HtmlDecode(m.Groups[2].Value), piecewise: true);
        }

        foreach (Match m in SessionTokenHeader().Matches(text))
        {
            Add($"session token in {kind}", m.Groups[1].Value, piecewise: true);
        }
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")]
    private static partial Regex Jwt();

    /// <summary>The second net: the start of a JWT (header and some payload), even cut before its signature.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")]
    private static partial Regex JwtStart();

    [GeneratedRegex(@"Signature=([0-9a-f]{64})")]
    private static partial Regex SigV4Signature();

    [GeneratedRegex(@"""(access_token|accessToken|id_token|token|SecretAccessKey|Token|SessionToken|client_secret)""\s*:\s*""((?:[^""\\]|\\.)+)""")]
    private static partial Regex JsonSecret();

    [GeneratedRegex(@"<(SecretAccessKey|SessionToken|WebIdentityToken)>([^<]+)</")]
    private static partial Regex XmlSecret();

    [GeneratedRegex(@"""key""\s*:\s*""x-amz-security-token""\s*,\s*""value""\s*:\s*""([^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex SessionTokenHeader();
}
