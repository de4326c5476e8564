using System.Globalization;

namespace CrossCloudAuth.Cli.Doctor;

/// <summary>
/// Names the probable cause of a stop and its fix, for the pitfalls people actually hit, with the caller's real values
/// (subject, audience, role, provider) in every command rather than placeholders.
/// </summary>
internal static class Diagnoser
{
    /// <summary>The clock difference past which signatures and tokens are refused (AWS: 5 minutes; Google: similar).</summary>
    public static readonly TimeSpan SkewLimit = TimeSpan.FromMinutes(5);

    /// <summary>Diagnoses the failed hop.</summary>
    /// <param name="hop">The hop that failed.</param>
    /// <param name="context">What the walk learned before it (claims, identities).</param>
    /// <param name="now">The local clock.</param>
    /// <returns>The diagnosis.</returns>
    public static Diagnosis Diagnose(Hop hop, WalkContext context, DateTimeOffset now)
    {
        string code = hop.ErrorCode ?? string.Empty;
        string message = hop.ErrorMessage ?? string.Empty;
        JwtClaims? claims = context.SubjectClaims;

        if (hop.ServerDate is { } server && (now - server).Duration() > SkewLimit)
        {
            return ClockSkew(now, server);
        }

        if (Has(message, "Signature expired") || Has(message, "Signature not yet current") || code == "RequestExpired"
            || Has(message, "is in the future") || Has(message, "used before") || Has(message, "not yet valid"))
        {
            return ClockSkew(now, hop.ServerDate);
        }

        if (hop.Name.StartsWith("aws-imds:session-token", StringComparison.Ordinal) && hop.Status == 0)
        {
            return new("imds-hop-limit",
                "The IMDSv2 session-token PUT got no answer. In a container (a pod on an EC2 node, a Docker container) this is the instance's metadata hop limit of 1: the answer dies one network hop short of the container.",
                $"Raise the hop limit to 2 on the instance (or its launch template):{Environment.NewLine}  aws ec2 modify-instance-metadata-options --instance-id INSTANCE_ID --http-put-response-hop-limit 2 --http-endpoint enabled{Environment.NewLine}On EKS prefer IRSA or EKS Pod Identity over the node's role.");
        }

        if (hop.Name.StartsWith("google-sts", StringComparison.Ordinal))
        {
            string provider = context.ProviderAudience ?? "PROVIDER";
            (string project, string pool, string providerId) = ProviderParts(provider);
            string gcloudProvider = $"gcloud iam workload-identity-pools providers update-oidc {providerId} --project={project} --location=global --workload-identity-pool={pool}";
            if (Has(message, "audience in ID Token"))
            {
                return new("google-wrong-audience",
                    $"The provider does not accept the token's audience '{claims?.Audience ?? "?"}'. An EKS projected token for IRSA carries aud=sts.amazonaws.com, while a provider created with default settings only accepts https:{provider}.",
                    $"Add the token's audience to the provider:{Environment.NewLine}  {gcloudProvider} --allowed-audiences={claims?.Audience ?? "AUDIENCE"}{Environment.NewLine}or project a token with the provider's audience (serviceAccountToken.audience in the pod spec).");
            }

            if (Has(message, "issuer in ID Token") || Has(message, "does not match the expected ISSUER"))
            {
                return new("google-wrong-issuer",
                    $"The provider trusts another issuer than the token's '{claims?.Issuer ?? "?"}' (each EKS cluster has its own OIDC issuer URL).",
                    $"Point the provider at the cluster's issuer (aws eks describe-cluster --name CLUSTER --query cluster.identity.oidc.issuer):{Environment.NewLine}  {gcloudProvider} --issuer-uri={claims?.Issuer ?? "ISSUER"}");
            }

            if (Has(message, "attribute condition"))
            {
                string values = claims is null ? "the subject's attributes" : $"sub={claims.Subject}{(claims.Namespace is null ? string.Empty : $", namespace={claims.Namespace}")}";
                return new("google-attribute-condition",
                    $"The provider's attribute condition evaluated to false for this workload ({values}).",
                    $"Read the condition and make it admit this workload:{Environment.NewLine}  gcloud iam workload-identity-pools providers describe {providerId} --project={project} --location=global --workload-identity-pool={pool} --format='value(attributeCondition,attributeMapping)'{Environment.NewLine}  {(context.SubjectTokenType == "aws" ? gcloudProvider.Replace("update-oidc", "update-aws", StringComparison.Ordinal) : gcloudProvider)} --attribute-condition=\"...\"");
            }

            if (code == "invalid_target")
            {
                return new("google-unknown-provider",
                    $"Google STS does not know the provider {provider}: the audience in the credential configuration is wrong, or the pool or provider is disabled or deleted.",
                    $"Check it exists and is enabled:{Environment.NewLine}  gcloud iam workload-identity-pools providers describe {providerId} --project={project} --location=global --workload-identity-pool={pool}{Environment.NewLine}then regenerate the file with gcloud iam workload-identity-pools create-cred-config.");
            }

            if (Has(message, "expired") || Has(message, "stale"))
            {
                return new("subject-token-expired",
                    $"Google refused the subject token as expired (exp={JwtClaims.Format(claims?.ExpiresOn)}). The kubelet rotates projected tokens; a copy, or a file nobody refreshes, goes stale.",
                    "Read the projected token file on each exchange (the library does) and let the kubelet refresh it; check that the node's clock is right.");
            }
        }

        if (hop.Name.StartsWith("iam-credentials", StringComparison.Ordinal) && (hop.Status == 403 || code == "PERMISSION_DENIED"))
        {
            string email = hop.Name[(hop.Name.IndexOf('(', StringComparison.Ordinal) + 1)..^1];
            string member = context.FederatedPrincipal ?? "principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/subject/SUBJECT";
            return new("google-missing-binding",
                $"The federated identity {member} does not hold roles/iam.workloadIdentityUser on {email} (or the binding names another principal or principalSet, or the service account does not exist in that project).",
                $"Grant it:{Environment.NewLine}  gcloud iam service-accounts add-iam-policy-binding {email} --role=roles/iam.workloadIdentityUser --member=\"{member}\"");
        }

        if (hop.Name.StartsWith("aws-sts:AssumeRoleWithWebIdentity", StringComparison.Ordinal))
        {
            string role = Between(hop.Name, '(', ')');
            string issuerHost = claims?.Issuer is { } iss ? iss.Replace("https://", string.Empty, StringComparison.Ordinal).Replace("http://", string.Empty, StringComparison.Ordinal) : "ISSUER_HOST";
            string account = role.Split(':') is { Length: > 4 } parts ? parts[4] : "ACCOUNT";
            if (Has(message, "Incorrect token audience"))
            {
                return new("aws-oidc-audience",
                    $"The IAM OIDC provider of {issuerHost} does not list the token's audience '{claims?.Audience ?? "?"}' among its client ids.",
                    $"  aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::{account}:oidc-provider/{issuerHost} --client-id {claims?.Audience ?? "sts.amazonaws.com"}");
            }

            if (code == "IDPCommunicationError" || Has(message, "verification key") || Has(message, "thumbprint"))
            {
                return new("aws-oidc-unreachable",
                    $"AWS STS could not fetch the issuer's discovery document or JWKS from {claims?.Issuer ?? "the issuer"} (unreachable from AWS, or a TLS certificate whose thumbprint the IAM OIDC provider does not list).",
                    $"Check from outside the cluster:{Environment.NewLine}  curl -sf {claims?.Issuer ?? "ISSUER"}/.well-known/openid-configuration && curl -sf <its jwks_uri>{Environment.NewLine}The issuer must be public over https; update the provider's thumbprint with aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn arn:aws:iam::{account}:oidc-provider/{issuerHost} --thumbprint-list THUMBPRINT.");
            }

            if (Has(message, "No OpenIDConnect provider"))
            {
                return new("aws-oidc-missing",
                    $"The account {account} has no IAM OIDC provider for the issuer {claims?.Issuer ?? "?"}.",
                    $"  eksctl utils associate-iam-oidc-provider --cluster CLUSTER --approve{Environment.NewLine}or aws iam create-open-id-connect-provider --url {claims?.Issuer ?? "ISSUER"} --client-id-list sts.amazonaws.com");
            }

            if (code == "AccessDenied" || Has(message, "Not authorized"))
            {
                return new("aws-trust-policy",
                    $"The trust policy of {role} does not admit this token: its conditions on {issuerHost}:sub and {issuerHost}:aud must match sub={claims?.Subject ?? "?"} and aud={claims?.Audience ?? "?"}.",
                    $"Make the trust policy's condition read:{Environment.NewLine}  \"StringEquals\": {{ \"{issuerHost}:sub\": \"{claims?.Subject ?? "SUBJECT"}\", \"{issuerHost}:aud\": \"{claims?.Audience ?? "sts.amazonaws.com"}\" }}{Environment.NewLine}  aws iam update-assume-role-policy --role-name {role[(role.LastIndexOf('/') + 1)..]} --policy-document file://trust.json");
            }

            if (Has(message, "expired"))
            {
                return new("subject-token-expired",
                    $"AWS STS refused the web identity token as expired (exp={JwtClaims.Format(claims?.ExpiresOn)}).",
                    "Let the kubelet refresh the projected token (AWS_WEB_IDENTITY_TOKEN_FILE must be the projected path, not a copy) and check the node's clock.");
            }
        }

        if (hop.Name.StartsWith("aws-sts:AssumeRole(", StringComparison.Ordinal))
        {
            string role = Between(hop.Name, '(', ')');
            if (Has(message, "1 hour session limit") || Has(message, "role chaining"))
            {
                return new("aws-chained-duration",
                    $"A role reached from another role's session (role chaining) lasts at most one hour, and {role} was asked for more.",
                    "Ask for 3600 seconds or less: duration_seconds = 3600 in the profile (or DurationSeconds ≤ 3600); refresh more often instead.");
            }

            if (code == "AccessDenied")
            {
                string caller = context.AwsIdentity is { } arn ? RoleOfSession(arn) : "CALLER_ROLE_ARN";
                return new("aws-trust-policy",
                    $"The trust policy of {role} does not let {context.AwsIdentity ?? "the caller"} assume it.",
                    $"Add the caller's role to the trust policy's principals:{Environment.NewLine}  \"Principal\": {{ \"AWS\": \"{caller}\" }}, \"Action\": \"sts:AssumeRole\"{Environment.NewLine}and allow sts:AssumeRole on {role} in the caller role's permissions.");
            }
        }

        if (hop.Name == "google:credential-configuration" && (Has(message, "not a Google") || Has(message, "allows only loopback") || Has(message, "instance metadata lives only") || Has(message, "link-local")))
        {
            return new("config-non-google-endpoint",
                "The credential configuration sends tokens to an endpoint that is not Google's (or not AWS's instance metadata). A file from an untrusted source could leak subject tokens and AWS credentials this way, so the library refuses it.",
                $"Regenerate the file with gcloud iam workload-identity-pools create-cred-config (it writes Google's endpoints). Against the local emulator, export {Plumbing.AllowLoopbackVariable}=1 (loopback hosts only).");
        }

        if (hop.Status == 0 && hop.ErrorCode == "no-answer")
        {
            return new("endpoint-unreachable", $"{hop.Name} did not answer ({hop.ErrorMessage}).", "Check the network path (proxy, firewall, VPC endpoints) to that service and retry.");
        }

        return new("unrecognized", $"{hop.Name} failed: {hop.Result}", "The service's message above names the problem; see docs/cli.md for the common pitfalls.");
    }

    /// <summary>The clock-skew diagnosis.</summary>
    /// <param name="now">The local clock.</param>
    /// <param name="server">The service's clock, when known.</param>
    /// <returns>The diagnosis.</returns>
    public static Diagnosis ClockSkew(DateTimeOffset now, DateTimeOffset? server) =>
        new("clock-skew",
            server is { } s
                ? string.Create(CultureInfo.InvariantCulture, $"This machine's clock differs from the service's by {(now - s).TotalMinutes:+0;-0} minutes (local {JwtClaims.Format(now)}, service {JwtClaims.Format(s)}); signatures and tokens are refused beyond about 5 minutes.")
                : "The service refused a signature or token as not yet valid or already expired: this machine's clock is off by more than about 5 minutes.",
            "Synchronise the clock (chrony / systemd-timesyncd; on EC2 the Amazon Time Sync Service at 169.254.169.123), then retry.");

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string Between(string text, char open, char close)
    {
        int a = text.IndexOf(open, StringComparison.Ordinal);
        int b = text.LastIndexOf(close);
        return a >= 0 && b > a ? text[(a + 1)..b] : text;
    }

    private static string RoleOfSession(string arn)
    {
        // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCOUNT:role/ROLE
        string[] parts = arn.Split(':');
        if (parts.Length == 6 && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            string role = parts[5].Split('/')[1];
            return $"arn:{parts[1]}:iam::{parts[4]}:role/{role}";
        }

        return arn;
    }

    private static (string Project, string Pool, string Provider) ProviderParts(string audience)
    {
        string[] p = audience.Split('/');
        string Get(string key) => Array.IndexOf(p, key) is int i and >= 0 && i + 1 < p.Length ? p[i + 1] : key.ToUpperInvariant();
        return (Get("projects"), Get("workloadIdentityPools"), Get("providers"));
    }
}

/// <summary>What the walk learned that a diagnosis needs.</summary>
internal sealed class WalkContext
{
    /// <summary>Gets or sets the claims of the OIDC subject token.</summary>
    public JwtClaims? SubjectClaims { get; set; }

    /// <summary>Gets or sets the provider's full resource name (the configuration's audience).</summary>
    public string? ProviderAudience { get; set; }

    /// <summary>Gets or sets <c>oidc</c> or <c>aws</c>.</summary>
    public string? SubjectTokenType { get; set; }

    /// <summary>Gets or sets the Google principal the federated token stands for.</summary>
    public string? FederatedPrincipal { get; set; }

    /// <summary>Gets or sets the last AWS identity.</summary>
    public string? AwsIdentity { get; set; }
}
