using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;

namespace CrossCloudAuth.Cli.Doctor;

/// <summary>
/// Sits under the library's HTTP client and turns each exchange into a <see cref="Hop"/>: what was presented (claims,
/// identities, scopes; never a token, key or signature) and what came back (the identity, the lifetime, or the service's
/// own error code and message).
/// </summary>
internal sealed class HopRecorder(DoctorReport report, TimeProvider time) : DelegatingHandler
{
    private const int MaxRecordedBody = 256 * 1024;

    /// <summary>Gets the last AWS identity seen (an assumed-role ARN), for the hops that sign with it.</summary>
    public string? LastAwsIdentity { get; private set; }

    /// <summary>Gets the Google principal of the last successful token exchange.</summary>
    public string? FederatedPrincipal { get; private set; }

    /// <summary>Gets the claims of the last OIDC subject token sent to Google or AWS.</summary>
    public JwtClaims? LastSubjectClaims { get; private set; }

    /// <summary>Gets the last serialized <c>aws4_request</c> subject sent to Google (a signed GetCallerIdentity).</summary>
    public string? LastAwsSubject { get; private set; }

    /// <summary>Gets the instance profile role name read from instance metadata.</summary>
    public string? InstanceRole { get; private set; }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string requestBody = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        long started = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            Add(Describe(request, requestBody, null, string.Empty, time.GetElapsedTime(started)) with { Reason = NoAnswer(e, cancellationToken) });
            throw;
        }

        string answer;
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxRecordedBody, cancellationToken).ConfigureAwait(false);
            answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // Larger than any answer worth describing, or cut off: the library reports it; the trace says so.
            answer = string.Empty;
        }

        Draft draft = Describe(request, requestBody, response, answer, time.GetElapsedTime(started));
        Add(draft with { ServerDate = response.Headers.Date });
        return response;
    }

    private static string NoAnswer(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && !cancellationToken.IsCancellationRequested
            ? "no answer before the deadline"
            : e is OperationCanceledException ? "cancelled" : $"no answer ({e.GetType().Name}: {Short(e.Message)})";

    private void Add(Draft d)
    {
        bool ok = d.Status is >= 200 and < 300;
        report.Hops.Add(new Hop
        {
            Name = d.Name,
            Presented = d.Presented,
            Result = ok ? d.Result : d.Reason ?? $"REJECTED {d.Status}: {d.ErrorCode}{(d.ErrorMessage is null ? string.Empty : ": " + d.ErrorMessage)}",
            Ok = ok,
            Status = d.Status,
            Elapsed = d.Elapsed,
            ExpiresOn = ok ? d.ExpiresOn : null,
            ServerDate = d.ServerDate,
            ErrorCode = ok ? null : d.ErrorCode ?? (d.Reason is null ? null : "no-answer"),
            ErrorMessage = ok ? null : d.ErrorMessage ?? d.Reason,
            Details = d.Details,
        });
    }

    private Draft Describe(HttpRequestMessage request, string body, HttpResponseMessage? response, string answer, TimeSpan elapsed)
    {
        Uri uri = request.RequestUri!;
        string path = uri.AbsolutePath;
        int status = response is null ? 0 : (int)response.StatusCode;
        bool ok = status is >= 200 and < 300;
        (string? code, string? message) = ok || response is null ? (null, null) : ReadError(request, body, answer);
        Dictionary<string, string> form = body.Length > 0 && !body.TrimStart().StartsWith('{') ? ParseForm(body) : new(StringComparer.Ordinal);
        Dictionary<string, string> query = ParseForm(uri.Query.TrimStart('?'));
        var draft = new Draft($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}", "-", ok ? "ok" : string.Empty, status, elapsed) { ErrorCode = code, ErrorMessage = message };

        if (path.EndsWith("/latest/api/token", StringComparison.Ordinal))
        {
            string ttl = request.Headers.TryGetValues("X-aws-ec2-metadata-token-ttl-seconds", out IEnumerable<string>? v) ? v.First() : "?";
            return draft with { Name = "aws-imds:session-token", Presented = $"PUT, ttl {ttl} s", Result = "an IMDSv2 session token" };
        }

        if (path.Contains("/latest/meta-data/iam/security-credentials", StringComparison.Ordinal))
        {
            string role = path[(path.IndexOf("security-credentials", StringComparison.Ordinal) + "security-credentials".Length)..].Trim('/');
            if (role.Length == 0)
            {
                InstanceRole = ok ? answer.Trim() : InstanceRole;
                return draft with { Name = "aws-imds:role-name", Presented = "IMDSv2 session token", Result = $"instance profile role '{Short(answer.Trim())}'" };
            }

            DateTimeOffset? expires = ok ? JsonDate(answer, "Expiration") : null;
            return draft with { Name = $"aws-imds:credentials({role})", Presented = "IMDSv2 session token", Result = $"temporary credentials of the instance role {role}", ExpiresOn = expires };
        }

        if (path.Contains("/latest/meta-data/", StringComparison.Ordinal))
        {
            return draft with { Name = "aws-imds:" + path[(path.IndexOf("/meta-data/", StringComparison.Ordinal) + 11)..], Presented = "IMDSv2 session token", Result = Short(answer.Trim()) };
        }

        string? action = form.GetValueOrDefault("Action") ?? query.GetValueOrDefault("Action");
        if (action is not null)
        {
            return DescribeAwsSts(draft, action, form, query, request, ok ? answer : null);
        }

        if (path.EndsWith("/token", StringComparison.Ordinal) && form.GetValueOrDefault("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange")
        {
            return DescribeGoogleSts(draft, form, ok ? answer : null);
        }

        if (path.Contains(":generateAccessToken", StringComparison.Ordinal) || path.Contains(":generateIdToken", StringComparison.Ordinal))
        {
            int start = path.IndexOf("/serviceAccounts/", StringComparison.Ordinal) + "/serviceAccounts/".Length;
            string email = Uri.UnescapeDataString(path[start..path.LastIndexOf(':')]);
            bool idToken = path.EndsWith(":generateIdToken", StringComparison.Ordinal);
            string asks = string.Empty;
            if (!idToken && body.Length > 0)
            {
                try
                {
                    using JsonDocument req = JsonDocument.Parse(body);
                    asks = req.RootElement.TryGetProperty("scope", out JsonElement s) && s.ValueKind == JsonValueKind.Array
                        ? "; asks for " + string.Join(' ', s.EnumerateArray().Select(x => (x.GetString() ?? "?").Replace("https://www.googleapis.com/auth/", string.Empty, StringComparison.Ordinal)))
                        : string.Empty;
                    asks += req.RootElement.TryGetProperty("lifetime", out JsonElement l) ? $", lifetime {l.GetString()}" : string.Empty;
                }
                catch (JsonException)
                {
                    asks = string.Empty;
                }
            }

            DateTimeOffset? expires = ok && !idToken ? JsonDate(answer, "expireTime") : null;
            string who = FederatedPrincipal ?? "the federated identity";
            return draft with
            {
                Name = $"iam-credentials:{(idToken ? "generateIdToken" : "generateAccessToken")}({email})",
                Presented = $"federated access token of {who}{asks}",
                Result = $"{(idToken ? "an ID token" : "an access token")} of service account {email}",
                ExpiresOn = expires,
            };
        }

        return draft with { Presented = request.Headers.Authorization?.Scheme ?? "-" };
    }

    private Draft DescribeAwsSts(Draft draft, string action, Dictionary<string, string> form, Dictionary<string, string> query, HttpRequestMessage request, string? answer)
    {
        string? arn = null;
        DateTimeOffset? expires = null;
        if (answer is not null)
        {
            try
            {
                XDocument xml = XDocument.Parse(answer);
                arn = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Arn")?.Value;
                string? expiration = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Expiration")?.Value;
                expires = expiration is not null && DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset e) ? e : null;
            }
            catch (System.Xml.XmlException)
            {
                arn = null;
            }
        }

        string signer = LastAwsIdentity is { } last ? $"SigV4 signed with the credentials of {last}" : "SigV4 signed with the previous hop's credentials";
        List<KeyValuePair<string, string>> details = [];
        string name;
        string presented;
        switch (action)
        {
            case "AssumeRoleWithWebIdentity":
                JwtClaims? claims = JwtClaims.TryRead(form.GetValueOrDefault("WebIdentityToken"));
                LastSubjectClaims = claims ?? LastSubjectClaims;
                name = $"aws-sts:AssumeRoleWithWebIdentity({form.GetValueOrDefault("RoleArn")})";
                presented = $"web identity token ({claims?.ToString() ?? "not a JWT"}), session '{form.GetValueOrDefault("RoleSessionName")}'";
                break;
            case "AssumeRole":
                name = $"aws-sts:AssumeRole({form.GetValueOrDefault("RoleArn")})";
                presented = $"{signer}, session '{form.GetValueOrDefault("RoleSessionName")}'{(form.TryGetValue("DurationSeconds", out string? d) ? $", DurationSeconds {d}" : string.Empty)}";
                break;
            case "GetCallerIdentity" when query.ContainsKey("X-Amz-Signature"):
                name = "aws-sts:GetCallerIdentity(EKS token)";
                presented = $"k8s-aws-v1 token: presigned GetCallerIdentity for cluster '{(request.Headers.TryGetValues("x-k8s-aws-id", out IEnumerable<string>? c) ? c.First() : "?")}', X-Amz-Expires={query.GetValueOrDefault("X-Amz-Expires")}";
                break;
            default:
                name = $"aws-sts:{action}";
                presented = signer;
                break;
        }

        if (arn is not null)
        {
            LastAwsIdentity = arn;
            details.Add(new("AWS identity", arn));
        }

        return draft with { Name = name, Presented = presented, Result = arn ?? "ok", ExpiresOn = expires, Details = details };
    }

    private Draft DescribeGoogleSts(Draft draft, Dictionary<string, string> form, string? answer)
    {
        string audience = form.GetValueOrDefault("audience") ?? "?";
        string type = form.GetValueOrDefault("subject_token_type") ?? "?";
        string subject = form.GetValueOrDefault("subject_token") ?? string.Empty;
        string pool = audience.Replace("//iam.googleapis.com/", string.Empty, StringComparison.Ordinal);
        pool = pool.Contains("/providers/", StringComparison.Ordinal) ? pool[..pool.IndexOf("/providers/", StringComparison.Ordinal)] : pool;
        string provider = audience[(audience.LastIndexOf('/') + 1)..];
        string presented;
        string? principal;
        List<KeyValuePair<string, string>> details = [new("provider", audience)];
        if (type.EndsWith(":aws4_request", StringComparison.Ordinal))
        {
            LastAwsSubject = subject;
            presented = $"aws4_request: SigV4-signed GetCallerIdentity of {LastAwsIdentity ?? (InstanceRole is null ? "the AWS credentials" : $"the instance role {InstanceRole}")}";
            principal = LastAwsIdentity is { } arn && arn.Contains(":assumed-role/", StringComparison.Ordinal)
                ? $"principalSet://iam.googleapis.com/{pool}/attribute.aws_role/{arn[..arn.LastIndexOf('/')]}"
                : null;
        }
        else
        {
            JwtClaims? claims = JwtClaims.TryRead(subject);
            LastSubjectClaims = claims ?? LastSubjectClaims;
            presented = $"{type[(type.LastIndexOf(':') + 1)..]} ({claims?.ToString() ?? "not a JWT"})";
            principal = claims?.Subject is { } sub ? $"principal://iam.googleapis.com/{pool}/subject/{sub}" : null;
        }

        DateTimeOffset? expires = null;
        if (answer is not null)
        {
            try
            {
                using JsonDocument json = JsonDocument.Parse(answer);
                expires = json.RootElement.TryGetProperty("expires_in", out JsonElement e) && e.TryGetInt64(out long seconds) ? time.GetUtcNow().AddSeconds(seconds) : null;
            }
            catch (JsonException)
            {
                expires = null;
            }

            FederatedPrincipal = principal ?? $"a principal of {pool}";
        }

        if (principal is not null)
        {
            details.Add(new("Google principal", principal));
        }

        return draft with { Name = "google-sts:token-exchange", Presented = $"{presented}, for provider '{provider}'", Result = $"federated token of {principal ?? "the federated identity"}", ExpiresOn = expires, Details = details };
    }

    /// <summary>Reads the service's own error code and message, unless the answer quotes a credential of the request.</summary>
    private static (string? Code, string? Message) ReadError(HttpRequestMessage request, string body, string answer)
    {
        if (QuotesACredential(request, body, answer))
        {
            return ("(not shown)", "the answer quoted a credential the request carried");
        }

        string text = answer.TrimStart();
        try
        {
            if (text.StartsWith('{'))
            {
                using JsonDocument json = JsonDocument.Parse(text);
                JsonElement root = json.RootElement;
                if (root.TryGetProperty("error", out JsonElement error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return (error.GetString(), root.TryGetProperty("error_description", out JsonElement d) ? Short(d.GetString()) : null);
                    }

                    string? status = error.TryGetProperty("status", out JsonElement s) ? s.GetString() : null;
                    string? message = error.TryGetProperty("message", out JsonElement m) ? m.GetString() : null;
                    return (status, Short(message));
                }
            }
            else if (text.StartsWith('<'))
            {
                XDocument xml = XDocument.Parse(text);
                string? code = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                string? message = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
                return (code, Short(message));
            }
        }
        catch (Exception e) when (e is JsonException or System.Xml.XmlException or InvalidOperationException)
        {
            return (null, "(an answer that is neither the service's JSON nor its XML)");
        }

        return (null, Short(text));
    }

    private static bool QuotesACredential(HttpRequestMessage request, string body, string answer)
    {
        const int Piece = 16;
        List<string> sent = [];
        Dictionary<string, string> form = body.Length > 0 && !body.TrimStart().StartsWith('{') ? ParseForm(body) : new(StringComparer.Ordinal);
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

    private static DateTimeOffset? JsonDate(string json, string property)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty(property, out JsonElement e) && e.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Short(string? text)
    {
        string t = (text ?? string.Empty).ReplaceLineEndings(" ");
        return t.Length > 300 ? t[..300] + "…" : t;
    }

    private static Dictionary<string, string> ParseForm(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            values[key] = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
        }

        return values;
    }

    private sealed record Draft(string Name, string Presented, string Result, int Status, TimeSpan Elapsed)
    {
        public DateTimeOffset? ExpiresOn { get; init; }

        public DateTimeOffset? ServerDate { get; init; }

        public string? ErrorCode { get; init; }

        public string? ErrorMessage { get; init; }

        public string? Reason { get; init; }

        public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
    }
}
