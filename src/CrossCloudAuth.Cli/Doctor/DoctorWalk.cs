using System.Text;
using System.Text.Json;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Cli.Doctor;

/// <summary>What <c>doctor</c> was asked to walk beyond what it discovers.</summary>
/// <param name="Profile">An AWS profile to walk.</param>
/// <param name="RoleArns">Roles to chain into after the AWS credentials.</param>
/// <param name="Cluster">An EKS cluster to mint (and check) a token for.</param>
/// <param name="Duration">The session duration asked of chained roles.</param>
internal sealed record DoctorRequest(string? Profile, IReadOnlyList<string> RoleArns, string? Cluster, TimeSpan? Duration);

/// <summary>
/// Discovers what the library would use here, then walks every hop with the library itself (the recorder under its
/// HTTP client turns each call into a hop) and stops at the first failure with a diagnosis.
/// </summary>
internal sealed class DoctorWalk(CliHost host, DoctorRequest request)
{
    private const int MaxTokenFileBytes = 64 * 1024;
    private readonly DoctorReport _report = new();
    private readonly WalkContext _context = new();

    /// <summary>Runs the walk.</summary>
    /// <param name="onHop">Called as each hop is walked (progress on slow hops).</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The report.</returns>
    public async Task<DoctorReport> RunAsync(Action<string>? onHop, CancellationToken cancellationToken)
    {
        long started = host.TimeProvider.GetTimestamp();
        var recorder = new HopRecorder(_report, host.TimeProvider);
        using HttpClient http = Plumbing.CreateHttpClient(host, recorder);
        try
        {
            Discover();
            string? googleFile = host.Environment.GetEnvironmentVariable(ExternalAccountConfiguration.CredentialsFileVariable) is { Length: > 0 } file ? file : null;
            bool aws = request.Profile is not null || request.RoleArns.Count > 0 || request.Cluster is not null
                || host.Environment.GetEnvironmentVariable("AWS_ROLE_ARN") is { Length: > 0 };
            if (googleFile is null && !aws)
            {
                aws = true; // Nothing for Google: walk the default AWS chain, which ends at instance metadata.
            }

            if (googleFile is not null)
            {
                onHop?.Invoke("Google: credential configuration, subject token, STS, impersonation");
                if (!await WalkGoogleAsync(http, recorder, cancellationToken).ConfigureAwait(false))
                {
                    return Finish(started);
                }
            }

            if (aws)
            {
                onHop?.Invoke("AWS: credentials, role chain" + (request.Cluster is null ? string.Empty : ", EKS token"));
                await WalkAwsAsync(http, recorder, cancellationToken).ConfigureAwait(false);
            }

            return Finish(started);
        }
        finally
        {
            _context.FederatedPrincipal ??= recorder.FederatedPrincipal;
        }
    }

    private DoctorReport Finish(long started)
    {
        DateTimeOffset now = host.TimeProvider.GetUtcNow();
        if (_report.Hops.FirstOrDefault(h => h.ServerDate is { } d && (now - d).Duration() > Diagnoser.SkewLimit) is { ServerDate: { } server } && _report.Diagnosis?.Pitfall != "clock-skew")
        {
            _report.Notes.Add(Diagnoser.ClockSkew(now, server));
        }

        if (request.Duration > TimeSpan.FromHours(1) && (request.RoleArns.Count > 0 || request.Profile is not null))
        {
            _report.Notes.Add(new("aws-chained-duration",
                $"{request.Duration.Value.TotalSeconds:0} seconds were asked of a role reached from another role's session (role chaining), which AWS caps at one hour. The library asked for 3600 seconds instead; the AWS CLI and SDKs fail with 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'",
                "Ask for 3600 seconds or less (duration_seconds = 3600 in the profile, DurationSeconds ≤ 3600) and let the credentials refresh."));
        }

        _report.Elapsed = host.TimeProvider.GetElapsedTime(started);
        return _report;
    }

    private void Discover()
    {
        void Found(string label, string? value) => _report.Discovered.Add(new(label, string.IsNullOrEmpty(value) ? "(unset)" : value));
        Found(ExternalAccountConfiguration.CredentialsFileVariable, host.Environment.GetEnvironmentVariable(ExternalAccountConfiguration.CredentialsFileVariable));
        Found("AWS_ROLE_ARN", host.Environment.GetEnvironmentVariable("AWS_ROLE_ARN"));
        Found("AWS_WEB_IDENTITY_TOKEN_FILE", host.Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE"));
        Found("AWS_PROFILE", request.Profile ?? host.Environment.GetEnvironmentVariable("AWS_PROFILE"));
        Found("AWS_CONFIG_FILE", host.Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") ?? (host.Environment.HomeDirectory is { } home ? Path.Combine(home, ".aws", "config") : null));
        bool env = host.Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 };
        Found("AWS_ACCESS_KEY_ID", env ? "(set; not shown)" : null);
        string? container = host.Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI") ?? host.Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        Found("container credentials", container is null ? "(none: not ECS, Fargate or EKS Pod Identity)" : container);
        string? imds = host.Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED") is "true" or "TRUE" ? "disabled (AWS_EC2_METADATA_DISABLED)" : host.Environment.GetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254 (the default; tried last)";
        Found("instance metadata", imds);
        if (Plumbing.AllowsLoopback(host))
        {
            Found(Plumbing.AllowLoopbackVariable, "1 (loopback endpoints allowed: a local emulator)");
        }
    }

    private async Task<bool> WalkGoogleAsync(HttpClient http, HopRecorder recorder, CancellationToken cancellationToken)
    {
        ExternalAccountConfiguration configuration;
        long started = host.TimeProvider.GetTimestamp();
        try
        {
            configuration = await Plumbing.LoadGoogleConfigurationAsync(host, cancellationToken).ConfigureAwait(false);
            if (Plumbing.AllowsLoopback(host))
            {
                Plumbing.RequireLoopback(configuration);
            }
        }
        catch (CrossCloudAuthException e)
        {
            Stop(Synthetic("google:credential-configuration", host.Environment.GetEnvironmentVariable(ExternalAccountConfiguration.CredentialsFileVariable) ?? "?", e, started));
            return false;
        }

        GoogleFederatedCredential credential;
        try
        {
            credential = Plumbing.GoogleCredential(host, http, configuration);
        }
        catch (CrossCloudAuthException e)
        {
            _context.ProviderAudience = configuration.Audience;
            Stop(Synthetic("google:credential-configuration", configuration.Source, e, started));
            return false;
        }

        using GoogleFederatedCredential owned = credential;
        _context.ProviderAudience = configuration.Audience;
        _context.SubjectTokenType = configuration.CredentialSource.Kind == CredentialSourceKind.Aws ? "aws" : "oidc";
        _report.Hops.Add(new Hop
        {
            Name = "google:credential-configuration",
            Presented = configuration.Source,
            Result = $"{configuration.CredentialSource.Kind} subject for provider {configuration.Audience}"
                + (configuration.ServiceAccountEmail is { } email ? $", impersonating {email}" : ", direct federated access (no impersonation)"),
            Ok = true,
            Elapsed = host.TimeProvider.GetElapsedTime(started),
            Details = [new("token_url", configuration.TokenUrl.AbsoluteUri), new("subject_token_type", configuration.SubjectTokenType)],
        });

        if (configuration.CredentialSource.File is { } file)
        {
            if (!await ReadTokenFileAsync("subject-token:file", file, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        try
        {
            AuthToken token = await credential.GetAsync(cancellationToken).ConfigureAwait(false);
            await ReplayAwsSubjectAsync(http, recorder, cancellationToken).ConfigureAwait(false);
            _report.Summary = $"Google: {(configuration.ServiceAccountEmail is { } sa ? "service account " + sa : recorder.FederatedPrincipal)}, access token valid until {JwtClaims.Format(token.ExpiresOn)} ({Minutes(token.ExpiresOn)})";
            return true;
        }
        catch (CrossCloudAuthException e)
        {
            await ReplayAwsSubjectAsync(http, recorder, cancellationToken).ConfigureAwait(false);
            StopAtLastFailure(recorder, e, started);
            return false;
        }
    }

    private async Task WalkAwsAsync(HttpClient http, HopRecorder recorder, CancellationToken cancellationToken)
    {
        long started = host.TimeProvider.GetTimestamp();
        if (request.Profile is null && host.Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE") is { Length: > 0 } tokenFile)
        {
            if (!await ReadTokenFileAsync("web-identity:token-file", tokenFile, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        try
        {
            using AwsCredentialChain chain = Plumbing.AwsChain(host, http, request.Profile, request.RoleArns, request.Duration);
            AwsCredentials credentials = await chain.GetAsync(cancellationToken).ConfigureAwait(false);
            string who = recorder.LastAwsIdentity ?? (recorder.InstanceRole is { } r ? $"instance role {r}" : "the default chain's credentials");
            string aws = $"AWS: {who}, credentials valid until {JwtClaims.Format(credentials.ExpiresOn)} ({Minutes(credentials.ExpiresOn)})";
            if (request.Cluster is { } cluster)
            {
                AuthToken token = await Plumbing.EksTokens(host, chain, cluster, null).GetAsync(cancellationToken).ConfigureAwait(false);
                await CheckEksTokenAsync(http, token, cluster, cancellationToken).ConfigureAwait(false);
                if (!_report.Healthy)
                {
                    return;
                }

                aws += $"; EKS token for {cluster} valid until {JwtClaims.Format(token.ExpiresOn)}";
            }

            _report.Summary = _report.Summary is null ? aws : _report.Summary + Environment.NewLine + aws;
        }
        catch (CrossCloudAuthException e)
        {
            StopAtLastFailure(recorder, e, started);
        }
    }

    /// <summary>Does what the cluster's authenticator does with the token: sends the presigned GetCallerIdentity with the
    /// cluster's name, and reports whom the cluster would see.</summary>
    private async Task CheckEksTokenAsync(HttpClient http, AuthToken token, string cluster, CancellationToken cancellationToken)
    {
        string encoded = token.Token[EksTokenSource.TokenPrefix.Length..].Replace('-', '+').Replace('_', '/');
        encoded = encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=');
        var url = new Uri(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        using var check = new HttpRequestMessage(HttpMethod.Get, url);
        check.Headers.Add("x-k8s-aws-id", cluster);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(check, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Stop(_report.Hops[^1]);
            }
        }
        catch (HttpRequestException)
        {
            Stop(_report.Hops[^1]);
        }
    }

    /// <summary>For an <c>aws4_request</c> subject, sends the signed GetCallerIdentity Google replays, to show which
    /// AWS identity (and so which <c>attribute.aws_role</c>) Google sees.</summary>
    private async Task ReplayAwsSubjectAsync(HttpClient http, HopRecorder recorder, CancellationToken cancellationToken)
    {
        if (recorder.LastAwsSubject is not { } subject || recorder.LastAwsIdentity is not null)
        {
            return;
        }

        int index = _report.Hops.FindIndex(h => h.Name == "google-sts:token-exchange");
        int before = _report.Hops.Count;
        try
        {
            using JsonDocument json = JsonDocument.Parse(Uri.UnescapeDataString(subject));
            JsonElement root = json.RootElement;
            using var replay = new HttpRequestMessage(new HttpMethod(root.GetProperty("method").GetString() ?? "POST"), new Uri(root.GetProperty("url").GetString()!));
            foreach (JsonElement header in root.GetProperty("headers").EnumerateArray())
            {
                string name = header.GetProperty("key").GetString()!;
                if (!name.Equals("host", StringComparison.OrdinalIgnoreCase))
                {
                    replay.Headers.TryAddWithoutValidation(name, header.GetProperty("value").GetString());
                }
            }

            using HttpResponseMessage response = await http.SendAsync(replay, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException or HttpRequestException or ArgumentNullException)
        {
            return;
        }

        if (_report.Hops.Count > before && index >= 0)
        {
            Hop replayed = _report.Hops[^1];
            _report.Hops.RemoveAt(_report.Hops.Count - 1);
            _report.Hops.Insert(index, new Hop
            {
                Name = "aws-sts:GetCallerIdentity(what Google sees)",
                Presented = "the signed aws4_request subject, replayed as Google replays it",
                Result = replayed.Result,
                Ok = replayed.Ok,
                Status = replayed.Status,
                Elapsed = replayed.Elapsed,
                ServerDate = replayed.ServerDate,
                ErrorCode = replayed.ErrorCode,
                ErrorMessage = replayed.ErrorMessage,
                Details = replayed.Details,
            });
            if (recorder.LastAwsIdentity is { } arn && arn.Contains(":assumed-role/", StringComparison.Ordinal) && _context.ProviderAudience is { } audience)
            {
                string pool = audience.Replace("//iam.googleapis.com/", string.Empty, StringComparison.Ordinal);
                pool = pool.Contains("/providers/", StringComparison.Ordinal) ? pool[..pool.IndexOf("/providers/", StringComparison.Ordinal)] : pool;
                _context.FederatedPrincipal = $"principalSet://iam.googleapis.com/{pool}/attribute.aws_role/{arn[..arn.LastIndexOf('/')]}";
            }
        }
    }

    private async Task<bool> ReadTokenFileAsync(string name, string path, CancellationToken cancellationToken)
    {
        long started = host.TimeProvider.GetTimestamp();
        string text;
        try
        {
            text = Encoding.UTF8.GetString(await host.Environment.ReadFileAsync(path, MaxTokenFileBytes, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Stop(new Hop { Name = name, Presented = path, Result = $"cannot read the file ({e.GetType().Name})", Ok = false, ErrorCode = "unreadable", ErrorMessage = e.Message, Elapsed = host.TimeProvider.GetElapsedTime(started) });
            _report.Diagnosis = new("token-file-unreadable", $"The token file {path} cannot be read: {e.Message}", "Mount the projected service-account token (IRSA: the pod's service account must carry the eks.amazonaws.com/role-arn annotation; restart the pod after adding it) and point the variable or credential_source.file at it.");
            return false;
        }

        JwtClaims? claims = JwtClaims.TryRead(text);
        _context.SubjectClaims = claims ?? _context.SubjectClaims;
        DateTimeOffset now = host.TimeProvider.GetUtcNow();
        List<KeyValuePair<string, string>> details = claims is null ? [] :
        [
            new("iss", claims.Issuer ?? "(none)"),
            new("sub", claims.Subject ?? "(none)"),
            new("aud", claims.Audience),
            new("exp", $"{JwtClaims.Format(claims.ExpiresOn)} ({Minutes(claims.ExpiresOn)})"),
        ];
        var hop = new Hop
        {
            Name = name,
            Presented = path,
            Result = claims is null ? "not a JWT" : $"projected token of {claims.Subject}",
            Ok = claims is not null && (claims.ExpiresOn is null || claims.ExpiresOn > now) && (claims.IssuedAt is null || claims.IssuedAt < now + Diagnoser.SkewLimit),
            Elapsed = host.TimeProvider.GetElapsedTime(started),
            ExpiresOn = claims?.ExpiresOn,
            Details = details,
        };
        _report.Hops.Add(hop);
        if (hop.Ok)
        {
            return true;
        }

        _report.StoppedAt = name;
        _report.Diagnosis = claims is null
            ? new("token-file-not-jwt", $"{path} does not hold a JWT.", "Point the variable or credential_source.file at the projected service-account token, not at another file.")
            : claims.IssuedAt > now + Diagnoser.SkewLimit
                ? new("clock-skew", $"The token was issued at {JwtClaims.Format(claims.IssuedAt)}, after this machine's clock ({JwtClaims.Format(now)}): the clock is behind.", "Synchronise the clock (chrony / systemd-timesyncd), then retry.")
                : new("subject-token-expired", $"The token in {path} expired at {JwtClaims.Format(claims.ExpiresOn)}. The kubelet refreshes projected tokens; a copied file goes stale.", "Point the variable at the projected path (not a copy) and let the kubelet refresh it; check the node's clock.");
        return false;
    }

    private Hop Synthetic(string name, string presented, CrossCloudAuthException e, long started) => new()
    {
        Name = name,
        Presented = presented,
        Result = "refused: " + e.Message,
        Ok = false,
        ErrorCode = e.GetType().Name,
        ErrorMessage = e.Message,
        Elapsed = host.TimeProvider.GetElapsedTime(started),
    };

    private void StopAtLastFailure(HopRecorder recorder, CrossCloudAuthException e, long started)
    {
        _context.AwsIdentity ??= recorder.LastAwsIdentity;
        _context.FederatedPrincipal ??= recorder.FederatedPrincipal;
        _context.SubjectClaims = recorder.LastSubjectClaims ?? _context.SubjectClaims;
        Hop? failed = _report.Hops.LastOrDefault(h => !h.Ok);
        Stop(failed ?? Synthetic(e.HopName, "-", e, started));
    }

    private void Stop(Hop hop)
    {
        if (!_report.Hops.Contains(hop))
        {
            _report.Hops.Add(hop);
        }

        _report.StoppedAt = hop.Name;
        _report.Diagnosis ??= Diagnoser.Diagnose(hop, _context, host.TimeProvider.GetUtcNow());
    }

    private string Minutes(DateTimeOffset? instant) =>
        instant is { } i ? $"in {Math.Round((i - host.TimeProvider.GetUtcNow()).TotalMinutes)} min" : "no expiry";
}
