using System.Globalization;
using System.Text.RegularExpressions;
using CrossCloudAuth.Testing.Aws.Iam;
using CrossCloudAuth.Testing.Aws.Signing;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Aws.Sts;

/// <summary>
/// AWS STS over the Query protocol (form POST or GET query, XML answers, <c>&lt;ErrorResponse&gt;</c>
/// errors): <c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c> and <c>GetCallerIdentity</c>.
/// </summary>
internal sealed partial class AwsStsEndpoint(AwsIdentityStore store, SigV4Verifier signatures, JwtVerifier jwts, TimeProvider clock) : IEmulatedEndpoint
{
    private static readonly TimeSpan ChainedSessionLimit = TimeSpan.FromHours(1);

    public EmulatedService Service => EmulatedService.AwsSts;

    public async ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (request.Method is not ("GET" or "POST"))
        {
            return StsXml.Error(new StsError(System.Net.HttpStatusCode.MethodNotAllowed, "InvalidAction", "Only GET and POST are supported."));
        }

        string? action = request.Parameter("Action");
        if (action is null)
        {
            return StsXml.Error(StsError.MissingParameter("Action"));
        }

        string? version = request.Parameter("Version");
        if (version != "2011-06-15")
        {
            return StsXml.Error(new StsError(System.Net.HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {action} for version {version ?? "NO_VERSION_SPECIFIED"}"));
        }

        return action switch
        {
            "AssumeRoleWithWebIdentity" => await AssumeRoleWithWebIdentityAsync(request, cancellationToken).ConfigureAwait(false),
            "AssumeRole" => AssumeRole(request),
            "GetCallerIdentity" => GetCallerIdentity(request),
            _ => StsXml.Error(new StsError(System.Net.HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {action} for version 2011-06-15")),
        };
    }

    private EmulatorResponse GetCallerIdentity(EmulatorRequest request)
    {
        SigV4Result result = signatures.Verify(request);
        if (result.Caller is not { } caller)
        {
            return StsXml.Error(result.Error!);
        }

        return StsXml.Result("GetCallerIdentity",
            StsXml.Element("Arn", caller.CallerArn),
            StsXml.Element("UserId", caller.UserId),
            StsXml.Element("Account", caller.AccountId));
    }

    private EmulatorResponse AssumeRole(EmulatorRequest request)
    {
        SigV4Result result = signatures.Verify(request);
        if (result.Caller is not { } caller)
        {
            return StsXml.Error(result.Error!);
        }

        if (ReadCommon(request, out string roleArn, out string sessionName, out int? durationSeconds) is { } invalid)
        {
            return StsXml.Error(invalid);
        }

        string denied = $"User: {caller.CallerArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        AwsRole? role = store.FindRole(roleArn);
        if (role is null || !role.Trust.Principals.Any(p => AwsIdentityStore.PrincipalMatches(p, caller)))
        {
            return StsXml.Error(StsError.AccessDenied(denied));
        }

        if (role.Trust.ExternalId is { } externalId && request.Parameter("ExternalId") != externalId)
        {
            return StsXml.Error(StsError.AccessDenied(denied));
        }

        bool chained = caller.IsRoleSession;
        TimeSpan duration = TimeSpan.FromSeconds(durationSeconds ?? 3600);
        if (chained && duration > ChainedSessionLimit)
        {
            return StsXml.Error(StsError.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."));
        }

        if (duration > role.MaxSessionDuration)
        {
            return StsXml.Error(StsError.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
        }

        AwsKey session = store.IssueSession(role, sessionName, duration);
        return StsXml.Result("AssumeRole", StsXml.Credentials(session), StsXml.AssumedRoleUser(session));
    }

    private async Task<EmulatorResponse> AssumeRoleWithWebIdentityAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (ReadCommon(request, out string roleArn, out string sessionName, out int? durationSeconds) is { } invalid)
        {
            return StsXml.Error(invalid);
        }

        string? token = request.Parameter("WebIdentityToken");
        if (string.IsNullOrEmpty(token))
        {
            return StsXml.Error(StsError.MissingParameter("WebIdentityToken"));
        }

        if (token.Length > 20_000)
        {
            return StsXml.Error(StsError.Validation("1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000"));
        }

        var denied = StsError.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        AwsRole? role = store.FindRole(roleArn);
        if (role is null)
        {
            return StsXml.Error(denied);
        }

        // The IAM OIDC providers of the role's account: every issuer a role there trusts, with its client ids.
        Dictionary<string, HashSet<string>> providers = store.Roles
            .Where(r => r.AccountId == role.AccountId)
            .SelectMany(r => r.Trust.WebIdentityStatements)
            .GroupBy(s => s.Issuer.Issuer, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Audience).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        if (!JwtToken.TryParse(token, out JwtToken? unverified) || unverified is null)
        {
            return StsXml.Error(StsError.InvalidIdentityToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."));
        }

        string issuer = unverified.Issuer ?? string.Empty;
        if (!providers.TryGetValue(issuer, out HashSet<string>? clientIds))
        {
            return StsXml.Error(StsError.InvalidIdentityToken($"No OpenIDConnect provider found in your account for {issuer}"));
        }

        JwtVerification verification = await jwts.VerifyAsync(token, cancellationToken).ConfigureAwait(false);
        switch (verification.Failure)
        {
            case JwtFailure.None:
                break;
            case JwtFailure.KeysUnavailable:
                return StsXml.Error(new StsError(System.Net.HttpStatusCode.BadRequest, "IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. Often this is a transient error caused by network conditions. Retry the request a limited number of times and wait between attempts to be sure that the IDP is not being throttled."));
            case JwtFailure.UnknownKey:
                return StsXml.Error(StsError.InvalidIdentityToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"));
            case JwtFailure.Expired:
                long now = clock.GetUtcNow().ToUnixTimeSeconds();
                return StsXml.Error(new StsError(System.Net.HttpStatusCode.BadRequest, "ExpiredTokenException",
                    $"Token expired: current date/time {now} must be before the expiration date/time {verification.Token!.ExpiresAt}"));
            default:
                return StsXml.Error(StsError.InvalidIdentityToken("The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."));
        }

        JwtToken jwt = verification.Token!;
        string? audience = jwt.Audiences.FirstOrDefault(clientIds.Contains);
        if (audience is null)
        {
            return StsXml.Error(StsError.InvalidIdentityToken("Incorrect token audience"));
        }

        string subject = jwt.Subject ?? string.Empty;
        bool trusted = role.Trust.WebIdentityStatements.Any(s =>
            s.Issuer.Issuer == issuer &&
            jwt.Audiences.Contains(s.Audience) &&
            (s.Subject is null || StringLike(s.Subject, subject)));
        if (!trusted)
        {
            return StsXml.Error(denied);
        }

        TimeSpan duration = TimeSpan.FromSeconds(durationSeconds ?? 3600);
        if (duration > role.MaxSessionDuration)
        {
            return StsXml.Error(StsError.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
        }

        AwsKey session = store.IssueSession(role, sessionName, duration);
        string hostPath = issuer[(issuer.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return StsXml.Result("AssumeRoleWithWebIdentity",
            StsXml.Credentials(session),
            StsXml.Element("SubjectFromWebIdentityToken", subject),
            StsXml.AssumedRoleUser(session),
            StsXml.Element("Provider", $"arn:aws:iam::{role.AccountId}:oidc-provider/{hostPath}"),
            StsXml.Element("Audience", audience));
    }

    private static StsError? ReadCommon(EmulatorRequest request, out string roleArn, out string sessionName, out int? durationSeconds)
    {
        roleArn = request.Parameter("RoleArn") ?? string.Empty;
        sessionName = request.Parameter("RoleSessionName") ?? string.Empty;
        durationSeconds = null;
        if (roleArn.Length == 0)
        {
            return StsError.MissingParameter("RoleArn");
        }

        if (sessionName.Length == 0)
        {
            return StsError.MissingParameter("RoleSessionName");
        }

        if (sessionName.Length is < 2 or > 64)
        {
            return StsError.Validation($"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length {(sessionName.Length < 2 ? "greater than or equal to 2" : "less than or equal to 64")}");
        }

        if (!SessionNamePattern().IsMatch(sessionName))
        {
            return StsError.Validation($"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        string? duration = request.Parameter("DurationSeconds");
        if (duration is not null)
        {
            if (!int.TryParse(duration, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            {
                return StsError.Validation($"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must be a number");
            }

            if (seconds < 900)
            {
                return StsError.Validation($"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
            }

            if (seconds > 43200)
            {
                return StsError.Validation($"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200");
            }

            durationSeconds = seconds;
        }

        return null;
    }

    /// <summary>IAM <c>StringLike</c>: <c>*</c> matches any run, <c>?</c> one character, everything else literally.</summary>
    internal static bool StringLike(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();
}
