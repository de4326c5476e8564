using CrossCloudAuth.Aws;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Google;

public sealed partial class ExternalAccountConfiguration
{
    private const string ExternalAccountType = "external_account";

    private static ExternalAccountConfiguration Validate(ExternalAccountJson file, string source, string hop)
    {
        if (file.Type != ExternalAccountType)
        {
            string why = file.Type switch
            {
                null => "has no \"type\" field",
                "service_account" => "is a service account key, not a workload identity federation configuration; keys are what this library avoids",
                "external_account_authorized_user" => "is an external_account_authorized_user (workforce sign-in) file, which this library does not read",
                "impersonated_service_account" or "authorized_user" => $"is of type \"{file.Type}\", which this library does not read",
                _ => $"has the unknown type \"{ServiceErrorText.Quote(file.Type)}\"",
            };
            throw new CredentialConfigurationException(hop, $"The credential configuration {why}. Expected \"type\": \"external_account\", as written by 'gcloud iam workload-identity-pools create-cred-config'.");
        }

        string audience = Required(file.Audience, "audience", hop);
        string subjectTokenType = Required(file.SubjectTokenType, "subject_token_type", hop);
        string? namedUniverse = Optional(file.UniverseDomain);
        if (namedUniverse is not null && !GoogleEndpointPolicy.IsWellFormedUniverseDomain(namedUniverse))
        {
            throw new CredentialConfigurationException(hop, "The field universe_domain must be a bare domain name such as googleapis.com.");
        }

        string universeDomain = namedUniverse?.ToLowerInvariant() ?? GoogleDefaults.UniverseDomain;
        string? namedTokenUrl = Optional(file.TokenUrl);
        Uri tokenUrl = AbsoluteUri(namedTokenUrl ?? GoogleDefaults.DefaultTokenUrl(universeDomain), "token_url", hop);

        Uri? impersonationUrl = null;
        string? email = null;
        if (Optional(file.ServiceAccountImpersonationUrl) is string rawImpersonation)
        {
            impersonationUrl = AbsoluteUri(rawImpersonation, "service_account_impersonation_url", hop);
            email = global::CrossCloudAuth.Google.ServiceAccountImpersonationUrl.TryGetServiceAccount(impersonationUrl)
                ?? throw new CredentialConfigurationException(hop, "The field service_account_impersonation_url must end in /v1/projects/-/serviceAccounts/{EMAIL}:generateAccessToken.");
        }

        TimeSpan? lifetime = null;
        if (file.ServiceAccountImpersonation?.TokenLifetimeSeconds is int seconds)
        {
            lifetime = TimeSpan.FromSeconds(seconds);
            if (GoogleSettingsRules.TokenLifetimeProblem(lifetime, "The field service_account_impersonation.token_lifetime_seconds") is { } problem)
            {
                throw new CredentialConfigurationException(hop, problem);
            }
        }

        string? workforceProject = Optional(file.WorkforcePoolUserProject);
        if (workforceProject is not null && !WorkloadIdentityAudience.IsWorkforcePool(audience))
        {
            throw new CredentialConfigurationException(hop, "The field workforce_pool_user_project is only valid for a workforce pool audience (//iam.googleapis.com/locations/{location}/workforcePools/{pool}/providers/{provider}); remove it or fix audience.");
        }

        string? clientId = Optional(file.ClientId);
        string? clientSecret = Optional(file.ClientSecret);
        if (clientSecret is not null && clientId is null)
        {
            throw new CredentialConfigurationException(hop, "The field client_secret is set without client_id.");
        }

        ExternalAccountCredentialSource credentialSource = ValidateSource(file.CredentialSource, subjectTokenType, hop);

        return new ExternalAccountConfiguration(source, audience, subjectTokenType, tokenUrl, credentialSource)
        {
            ServiceAccountImpersonationUrl = impersonationUrl,
            ServiceAccountEmail = email,
            TokenLifetime = lifetime,
            QuotaProjectId = Optional(file.QuotaProjectId),
            WorkforcePoolUserProject = workforceProject,
            ClientId = clientId,
            ClientSecret = clientSecret,
            TokenInfoUrl = Optional(file.TokenInfoUrl) is string info ? AbsoluteUri(info, "token_info_url", hop) : null,
            UniverseDomain = universeDomain,
            UniverseDomainNamed = namedUniverse is not null,
            TokenUrlNamed = namedTokenUrl is not null,
        };
    }

    private static ExternalAccountCredentialSource ValidateSource(CredentialSourceJson? json, string subjectTokenType, string hop)
    {
        if (json is null)
        {
            throw new CredentialConfigurationException(hop, "The field credential_source is missing. It says where the subject token comes from (file, url, executable or environment_id aws1).");
        }

        if (json.Certificate is not null)
        {
            throw new CredentialConfigurationException(hop, "The field credential_source.certificate (X.509 workload certificates) is not supported by this library.");
        }

        List<string> kinds = [];
        if (Optional(json.EnvironmentId) is not null)
        {
            kinds.Add("environment_id");
        }

        if (json.Executable is not null)
        {
            kinds.Add("executable");
        }

        if (Optional(json.File) is not null)
        {
            kinds.Add("file");
        }

        if (Optional(json.Url) is not null && Optional(json.EnvironmentId) is null)
        {
            kinds.Add("url");
        }

        if (kinds.Count == 0)
        {
            throw new CredentialConfigurationException(hop, "The field credential_source has none of file, url, executable or environment_id: there is no subject token source.");
        }

        if (kinds.Count > 1)
        {
            throw new CredentialConfigurationException(hop, $"The field credential_source sets {string.Join(" and ", kinds)}; exactly one source is allowed.");
        }

        SubjectTokenFormat format = ValidateFormat(json.Format, hop);
        switch (kinds[0])
        {
            case "environment_id":
                if (!string.Equals(json.EnvironmentId, "aws1", StringComparison.Ordinal))
                {
                    throw new CredentialConfigurationException(hop, $"The field credential_source.environment_id is \"{ServiceErrorText.Quote(json.EnvironmentId)}\"; only \"aws1\" is supported.");
                }

                if (subjectTokenType != SubjectTokenTypes.Aws4Request)
                {
                    throw new CredentialConfigurationException(hop, $"The field subject_token_type must be {SubjectTokenTypes.Aws4Request} with environment_id aws1.");
                }

                string verification = Optional(json.RegionalCredentialVerificationUrl)
                    ?? throw new CredentialConfigurationException(hop, "The field credential_source.regional_cred_verification_url is missing; gcloud writes https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15.");
                try
                {
                    // Loopback hosts are judged when the credential is built, against the application's opt-in.
                    VerificationUrl.CheckTemplate(verification, allowLoopback: true);
                }
                catch (ArgumentException error)
                {
                    throw new CredentialConfigurationException(hop, $"The field credential_source.regional_cred_verification_url is refused: {error.Message}");
                }

                return new ExternalAccountCredentialSource(CredentialSourceKind.Aws)
                {
                    EnvironmentId = json.EnvironmentId,
                    Url = Optional(json.Url) is string url ? NoUserInfo(AbsoluteUri(url, "credential_source.url", hop), "credential_source.url", hop) : null,
                    RegionUrl = Optional(json.RegionUrl) is string region ? NoUserInfo(AbsoluteUri(region, "credential_source.region_url", hop), "credential_source.region_url", hop) : null,
                    RegionalCredentialVerificationUrl = verification,
                    Imdsv2SessionTokenUrl = Optional(json.Imdsv2SessionTokenUrl) is string session ? NoUserInfo(AbsoluteUri(session, "credential_source.imdsv2_session_token_url", hop), "credential_source.imdsv2_session_token_url", hop) : null,
                };

            case "executable":
                string command = Optional(json.Executable!.Command)
                    ?? throw new CredentialConfigurationException(hop, "The field credential_source.executable.command is missing.");
                TimeSpan timeout = ExecutableSubjectTokenSource.DefaultTimeout;
                if (json.Executable.TimeoutMillis is int millis)
                {
                    timeout = TimeSpan.FromMilliseconds(millis);
                    if (timeout < ExecutableSubjectTokenSource.MinimumTimeout || timeout > ExecutableSubjectTokenSource.MaximumTimeout)
                    {
                        throw new CredentialConfigurationException(hop, $"The field credential_source.executable.timeout_millis must be between {ExecutableSubjectTokenSource.MinimumTimeout.TotalMilliseconds:0} and {ExecutableSubjectTokenSource.MaximumTimeout.TotalMilliseconds:0}; it is {millis}.");
                    }
                }

                return new ExternalAccountCredentialSource(CredentialSourceKind.Executable)
                {
                    ExecutableCommand = command,
                    ExecutableTimeout = timeout,
                    ExecutableOutputFile = Optional(json.Executable.OutputFile),
                };

            case "file":
                return new ExternalAccountCredentialSource(CredentialSourceKind.File) { File = json.File, Format = format };

            default:
                return new ExternalAccountCredentialSource(CredentialSourceKind.Url)
                {
                    Url = NoUserInfo(AbsoluteUri(json.Url!, "credential_source.url", hop), "credential_source.url", hop),
                    Headers = json.Headers is null ? new Dictionary<string, string>() : new Dictionary<string, string>(json.Headers, StringComparer.OrdinalIgnoreCase),
                    Format = format,
                };
        }
    }

    private static SubjectTokenFormat ValidateFormat(FormatJson? format, string hop)
    {
        switch (Optional(format?.Type))
        {
            case null or "text":
                return SubjectTokenFormat.Text;
            case "json":
                string field = Optional(format!.SubjectTokenFieldName)
                    ?? throw new CredentialConfigurationException(hop, "The field credential_source.format.subject_token_field_name is required when format.type is \"json\".");
                return SubjectTokenFormat.Json(field);
            default:
                throw new CredentialConfigurationException(hop, $"The field credential_source.format.type is \"{ServiceErrorText.Quote(format!.Type)}\"; expected \"text\" or \"json\".");
        }
    }

    private static string Required(string? value, string field, string hop) =>
        Optional(value) ?? throw new CredentialConfigurationException(hop, $"The field {field} is missing or empty.");

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri NoUserInfo(Uri uri, string field, string hop) =>
        string.IsNullOrEmpty(uri.UserInfo)
            ? uri
            : throw new CredentialConfigurationException(hop, $"The field {field} carries user info (user:password@host). Credentials in a URL leak into logs and messages; send them in credential_source.headers instead.");

    private static Uri AbsoluteUri(string value, string field, string hop)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new CredentialConfigurationException(hop, $"The field {field} is not an absolute http(s) URL.");
        }

        return uri;
    }
}
