using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>
/// Sits under every <see cref="HttpClient"/> the flows hand to the library and the AWS SDK, and records each hop
/// for the trace: it recognises instance metadata, AWS STS, Google STS, IAM Credentials, Cloud Storage and BigQuery
/// by path and form (so it works against the emulator and the real clouds alike), and keeps only what is not
/// secret: ARNs, JWT claims, token types, scopes, expiry times.
/// </summary>
public sealed class TracingHandler(HopTrace trace) : DelegatingHandler
{
    private const int MaxBody = 256 * 1024;

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string requestBody = string.Empty;
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken);
            requestBody = await request.Content.ReadAsStringAsync(cancellationToken);
        }

        long started = Stopwatch.GetTimestamp();
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        string responseBody = response.Content.Headers.ContentLength is > MaxBody ? string.Empty : await response.Content.ReadAsStringAsync(cancellationToken);

        if (!response.IsSuccessStatusCode && QuotesACredentialOf(request, requestBody, responseBody))
        {
            // An endpoint that echoes the request back would put the token into the trace the user reads.
            responseBody = "(the answer quoted a credential the request carried; not shown)";
        }

        try
        {
            HopRecord? hop = Describe(request, requestBody, response.StatusCode, responseBody, elapsed);
            if (hop is not null)
            {
                trace.Add(hop);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or System.Xml.XmlException or InvalidOperationException or KeyNotFoundException)
        {
            trace.Add(new HopRecord($"{request.Method} {request.RequestUri?.AbsolutePath}", "?", "(could not read the answer for the trace)", null, elapsed, (int)response.StatusCode));
        }

        return response;
    }

    private HopRecord? Describe(HttpRequestMessage request, string body, HttpStatusCode status, string answer, TimeSpan elapsed)
    {
        Uri uri = request.RequestUri!;
        string path = uri.AbsolutePath;
        int code = (int)status;
        bool ok = code is >= 200 and < 300;
        Dictionary<string, string> form = ParseForm(body.Contains('=', StringComparison.Ordinal) && !body.TrimStart().StartsWith('{') ? body : string.Empty);
        Dictionary<string, string> query = ParseForm(uri.Query.TrimStart('?'));

        if (path.EndsWith("/latest/api/token", StringComparison.Ordinal))
        {
            string ttl = request.Headers.TryGetValues("X-aws-ec2-metadata-token-ttl-seconds", out IEnumerable<string>? v) ? v.First() : "?";
            return new("aws-imds:session-token", $"PUT, ttl {ttl} s", ok ? "an IMDSv2 session token" : Failure(status, answer), ok ? Now().AddSeconds(double.Parse(ttl, CultureInfo.InvariantCulture)) : null, elapsed, code);
        }

        if (path.Contains("/latest/meta-data/iam/security-credentials", StringComparison.Ordinal))
        {
            string role = path[(path.IndexOf("security-credentials", StringComparison.Ordinal) + "security-credentials".Length)..].Trim('/');
            if (role.Length == 0)
            {
                return new("aws-imds:role-name", "IMDSv2 session token", ok ? $"instance profile role '{answer.Trim()}'" : Failure(status, answer), null, elapsed, code);
            }

            using JsonDocument json = JsonDocument.Parse(answer);
            DateTimeOffset? expires = ok && json.RootElement.TryGetProperty("Expiration", out JsonElement e) ? e.GetDateTimeOffset() : null;
            return new($"aws-imds:credentials({role})", "IMDSv2 session token", ok ? $"temporary credentials of the instance role {role}" : Failure(status, answer), expires, elapsed, code);
        }

        if (path.Contains("/latest/meta-data/placement/", StringComparison.Ordinal))
        {
            return new("aws-imds:placement", "IMDSv2 session token", ok ? $"{path[(path.LastIndexOf('/') + 1)..]} {answer.Trim()}" : Failure(status, answer), null, elapsed, code);
        }

        string? action = form.GetValueOrDefault("Action") ?? query.GetValueOrDefault("Action");
        if (action is not null)
        {
            return DescribeAwsSts(action, form, query, request, status, answer, elapsed);
        }

        if (path.EndsWith("/v1/token", StringComparison.Ordinal) && form.GetValueOrDefault("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange")
        {
            return DescribeGoogleSts(form, status, answer, elapsed);
        }

        if (path.Contains(":generateAccessToken", StringComparison.Ordinal) || path.Contains(":generateIdToken", StringComparison.Ordinal))
        {
            string email = Uri.UnescapeDataString(path[(path.IndexOf("/serviceAccounts/", StringComparison.Ordinal) + "/serviceAccounts/".Length)..path.LastIndexOf(':')]);
            bool idToken = path.EndsWith(":generateIdToken", StringComparison.Ordinal);
            string scopes = string.Empty;
            if (!idToken && body.Length > 0)
            {
                using JsonDocument req = JsonDocument.Parse(body);
                scopes = req.RootElement.TryGetProperty("scope", out JsonElement s) ? string.Join(' ', s.EnumerateArray().Select(x => ShortScope(x.GetString()))) : string.Empty;
                scopes += req.RootElement.TryGetProperty("lifetime", out JsonElement l) ? $", lifetime {l.GetString()}" : string.Empty;
            }

            DateTimeOffset? expires = null;
            if (ok && !idToken)
            {
                using JsonDocument json = JsonDocument.Parse(answer);
                expires = json.RootElement.GetProperty("expireTime").GetDateTimeOffset();
                trace.LastGoogleIdentity = email;
            }

            string hop = idToken ? $"iam-credentials:generateIdToken({email})" : $"iam-credentials:generateAccessToken({email})";
            return new(hop, $"the federated access token{(scopes.Length > 0 ? $"; asks for {scopes}" : string.Empty)}", ok ? $"service account {email}" : Failure(status, answer), expires, elapsed, code);
        }

        if (path.Contains("/storage/v1/b/", StringComparison.Ordinal))
        {
            string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            int b = Array.IndexOf(segments, "b");
            string bucket = segments[b + 1];
            bool list = segments.Length == b + 3;
            string what = list ? $"storage:objects.list(gs://{bucket})" : $"storage:objects.get(gs://{bucket}/{Uri.UnescapeDataString(segments[^1])})";
            string result = !ok ? Failure(status, answer) : list ? $"{CountItems(answer, "items")} objects" : query.GetValueOrDefault("alt") == "media" ? $"{answer.Length} bytes" : "object metadata";
            return new(what, Bearer(), result, null, elapsed, code);
        }

        if (path.Contains("/bigquery/v2/projects/", StringComparison.Ordinal))
        {
            string project = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[3];
            string result = !ok ? Failure(status, answer) : $"{CountItems(answer, "rows")} rows";
            return new($"bigquery:jobs.query({project})", Bearer(), result, null, elapsed, code);
        }

        return new($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}", request.Headers.Authorization is null ? "-" : request.Headers.Authorization.Scheme, ok ? "ok" : Failure(status, answer), null, elapsed, code);
    }

    private HopRecord DescribeAwsSts(string action, Dictionary<string, string> form, Dictionary<string, string> query, HttpRequestMessage request, HttpStatusCode status, string answer, TimeSpan elapsed)
    {
        int code = (int)status;
        bool ok = code is >= 200 and < 300;
        string? arn = null;
        DateTimeOffset? expires = null;
        if (ok)
        {
            XDocument xml = XDocument.Parse(answer);
            arn = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Arn")?.Value;
            string? expiration = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Expiration")?.Value;
            expires = expiration is null ? null : DateTimeOffset.Parse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }

        string signer = trace.LastAwsIdentity is { } last ? $"SigV4 signed with the credentials of {last}" : "SigV4 signed with the previous hop's credentials";
        (string hop, string presented) = action switch
        {
            "AssumeRoleWithWebIdentity" => ($"aws-sts:AssumeRoleWithWebIdentity({form.GetValueOrDefault("RoleArn")})",
                $"web identity token {Claims(form.GetValueOrDefault("WebIdentityToken"))}, session '{form.GetValueOrDefault("RoleSessionName")}'"),
            "AssumeRole" => ($"aws-sts:AssumeRole({form.GetValueOrDefault("RoleArn")})", $"{signer}, session '{form.GetValueOrDefault("RoleSessionName")}'"),
            "GetCallerIdentity" when query.ContainsKey("X-Amz-Signature") => ("aws-sts:GetCallerIdentity (EKS token check)",
                $"k8s-aws-v1 token: presigned GetCallerIdentity for cluster '{(request.Headers.TryGetValues("x-k8s-aws-id", out IEnumerable<string>? c) ? c.First() : "?")}', X-Amz-Expires={query.GetValueOrDefault("X-Amz-Expires")}"),
            "GetCallerIdentity" => ("aws-sts:GetCallerIdentity", signer),
            _ => ($"aws-sts:{action}", signer),
        };
        if (arn is not null)
        {
            trace.LastAwsIdentity = arn;
        }

        return new(hop, presented, ok ? arn ?? "ok" : Failure(status, answer), expires, elapsed, code);
    }

    private HopRecord DescribeGoogleSts(Dictionary<string, string> form, HttpStatusCode status, string answer, TimeSpan elapsed)
    {
        int code = (int)status;
        bool ok = code is >= 200 and < 300;
        string audience = form.GetValueOrDefault("audience") ?? "?";
        string type = form.GetValueOrDefault("subject_token_type") ?? "?";
        string subject = form.GetValueOrDefault("subject_token") ?? string.Empty;
        string pool = audience.Replace("//iam.googleapis.com/", string.Empty, StringComparison.Ordinal);
        pool = pool.Contains("/providers/", StringComparison.Ordinal) ? pool[..pool.IndexOf("/providers/", StringComparison.Ordinal)] : pool;
        string provider = audience[(audience.LastIndexOf('/') + 1)..];
        string presented;
        string principal;
        if (type.EndsWith(":aws4_request", StringComparison.Ordinal))
        {
            string signer = trace.LastAwsIdentity ?? "the AWS credentials";
            presented = $"aws4_request: SigV4-signed GetCallerIdentity of {signer}, for provider '{provider}'";
            string role = trace.LastAwsIdentity is { } arn && arn.Contains(":assumed-role/", StringComparison.Ordinal) ? arn[..arn.LastIndexOf('/')] : signer;
            principal = $"principalSet://iam.googleapis.com/{pool}/attribute.aws_role/{role}";
        }
        else
        {
            (string? sub, string claims) = JwtClaims(subject);
            presented = $"{ShortType(type)} {claims}, for provider '{provider}'";
            principal = $"principal://iam.googleapis.com/{pool}/subject/{sub}";
        }

        DateTimeOffset? expires = null;
        if (ok)
        {
            using JsonDocument json = JsonDocument.Parse(answer);
            expires = json.RootElement.TryGetProperty("expires_in", out JsonElement e) ? Now().AddSeconds(e.GetInt32()) : null;
            trace.LastGoogleIdentity = principal;
        }

        return new("google-sts:token-exchange", presented, ok ? $"federated token of {principal}" : Failure(status, answer), expires, elapsed, code);
    }

    private string Bearer() => trace.LastGoogleIdentity is { } who ? $"access token of {who}" : "a bearer token";

    private static DateTimeOffset Now() => TimeProvider.System.GetUtcNow();

    private static string Claims(string? jwt) => JwtClaims(jwt).Text;

    /// <summary>Reads the non-secret claims of a JWT (never its signature).</summary>
    internal static (string? Subject, string Text) JwtClaims(string? jwt)
    {
        string[] parts = (jwt ?? string.Empty).Split('.');
        if (parts.Length != 3)
        {
            return (null, "(not a JWT)");
        }

        string payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using JsonDocument json = JsonDocument.Parse(Convert.FromBase64String(payload));
        JsonElement root = json.RootElement;
        string? sub = root.TryGetProperty("sub", out JsonElement s) ? s.GetString() : null;
        string aud = root.TryGetProperty("aud", out JsonElement a) ? a.ValueKind == JsonValueKind.Array ? string.Join(',', a.EnumerateArray().Select(x => x.GetString())) : a.GetString() ?? "?" : "?";
        string exp = root.TryGetProperty("exp", out JsonElement e) && e.TryGetInt64(out long seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "?";
        return (sub, $"(sub={sub}, aud={aud}, exp={exp})");
    }

    private static string ShortType(string type) => type[(type.LastIndexOf(':') + 1)..];

    private static string ShortScope(string? scope) => scope?.Replace("https://www.googleapis.com/auth/", string.Empty, StringComparison.Ordinal) ?? "?";

    private static int CountItems(string json, string property)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(property, out JsonElement items) ? items.GetArrayLength() : 0;
    }

    /// <summary>The service's own error code and message, shortened; services never echo secrets in these.</summary>
    private static bool QuotesACredentialOf(HttpRequestMessage request, string body, string answer)
    {
        const int Piece = 16;
        List<string> sent = [];
        Dictionary<string, string> form = ParseForm(body.Contains('=', StringComparison.Ordinal) && !body.TrimStart().StartsWith('{') ? body : string.Empty);
        foreach (string field in (string[])["WebIdentityToken", "subject_token", "client_secret"])
        {
            if (form.TryGetValue(field, out string? value))
            {
                sent.Add(value);
            }
        }

        if (request.Headers.Authorization?.Parameter is { } authorization)
        {
            sent.Add(authorization);
        }

        foreach (string header in (string[])["X-Amz-Security-Token", "X-aws-ec2-metadata-token"])
        {
            if (request.Headers.TryGetValues(header, out IEnumerable<string>? values))
            {
                sent.AddRange(values);
            }
        }

        return sent.Any(secret => secret.Length < Piece
            ? secret.Length > 0 && answer.Contains(secret, StringComparison.Ordinal)
            : Enumerable.Range(0, secret.Length - Piece + 1).Any(i => answer.Contains(secret.AsSpan(i, Piece), StringComparison.Ordinal)));
    }

    private static string Failure(HttpStatusCode status, string answer)
    {
        string text = answer.Length > 200 ? answer[..200] + "…" : answer;
        return $"REJECTED {(int)status}: {text.ReplaceLineEndings(" ")}";
    }

    private static Dictionary<string, string> ParseForm(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            string value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            values[key] = value;
        }

        return values;
    }
}
