using System.Text.Json;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Google.BigQuery;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Google.IamCredentials;
using CrossCloudAuth.Testing.Google.Storage;
using CrossCloudAuth.Testing.Google.Sts;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing;

public sealed partial class CloudEmulator
{
    private const int GoogleKeySlot = -1;
    private GoogleTokenStore? _googleTokens;

    /// <summary>Gets the URL of the keys that sign the ID tokens <c>generateIdToken</c> returns (Google's <c>https://www.googleapis.com/oauth2/v3/certs</c>); their issuer is <c>https://accounts.google.com</c>.</summary>
    public Uri GoogleCertsUri => new(IamCredentialsEndpoint, "oauth2/v3/certs");

    /// <summary>Gets the Cloud Storage JSON API base URI (<c>http://127.0.0.1:PORT/storage/v1/</c>;
    /// <c>https://storage.googleapis.com/storage/v1/</c> in production), as <c>StorageClientBuilder.BaseUri</c> and
    /// <c>BaseClientService.Initializer.BaseUri</c> take it. Google's clients derive the upload path
    /// (<see cref="StorageUploadBaseUri"/>) from its host.</summary>
    public Uri StorageBaseUri => new(StorageEndpoint, "storage/v1/");

    /// <summary>Gets the Cloud Storage upload base URI (<c>http://127.0.0.1:PORT/upload/storage/v1/</c>;
    /// <c>https://storage.googleapis.com/upload/storage/v1/</c> in production), for REST callers that upload
    /// (<c>b/BUCKET/o?uploadType=media|multipart|resumable</c>).</summary>
    public Uri StorageUploadBaseUri => new(StorageEndpoint, "upload/storage/v1/");

    /// <summary>Returns the <c>service_account_impersonation_url</c> of a service account at the emulated IAM Credentials.</summary>
    /// <param name="serviceAccountEmail">The service account email.</param>
    /// <returns><c>http://127.0.0.1:PORT/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken</c>.</returns>
    public Uri ServiceAccountImpersonationUri(string serviceAccountEmail)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceAccountEmail);
        return new Uri(IamCredentialsEndpoint, $"v1/projects/-/serviceAccounts/{serviceAccountEmail}:generateAccessToken");
    }

    /// <summary>Issues a service-account access token directly, without impersonation checks: a quick way for a test to call Storage or BigQuery.</summary>
    /// <param name="serviceAccountEmail">The service account the token stands for.</param>
    /// <param name="lifetime">The lifetime; 1 hour when omitted.</param>
    /// <param name="scopes">The scopes; <c>cloud-platform</c> when none are given.</param>
    /// <returns>The bearer token.</returns>
    public string IssueServiceAccountAccessToken(string serviceAccountEmail, TimeSpan? lifetime = null, params string[] scopes)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceAccountEmail);
        ArgumentNullException.ThrowIfNull(scopes);
        HashSet<string> set = scopes.Length == 0 ? [GoogleToken.CloudPlatformScope] : [.. scopes];
        return _googleTokens!.IssueServiceAccount(serviceAccountEmail, set, lifetime ?? TimeSpan.FromHours(1)).Value;
    }

    /// <summary>Revokes a Google access token the emulator issued (federated or service-account), as Google does when a
    /// token is revoked or its service account is disabled: every later request carrying it gets 401
    /// <c>UNAUTHENTICATED</c> from Storage, BigQuery and IAM Credentials, although it has not expired.</summary>
    /// <param name="accessToken">The token.</param>
    /// <returns><see langword="true"/> when the token was known and is now revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> is null or empty.</exception>
    public bool RevokeGoogleAccessToken(string accessToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        return _googleTokens!.Revoke(accessToken);
    }

    /// <summary>Revokes every access token issued so far to a service account (by impersonation or
    /// <see cref="IssueServiceAccountAccessToken"/>), for tests that do not see the token itself; tokens issued later are
    /// valid.</summary>
    /// <param name="serviceAccountEmail">The service account email.</param>
    /// <returns>How many tokens were revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="serviceAccountEmail"/> is null or empty.</exception>
    public int RevokeGoogleAccessTokens(string serviceAccountEmail)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceAccountEmail);
        return _googleTokens!.RevokeServiceAccount(serviceAccountEmail);
    }

    /// <summary>
    /// Writes the <c>external_account</c> credential configuration that <c>gcloud iam workload-identity-pools
    /// create-cred-config</c> would, pointed at this emulator: a file-sourced OIDC subject for an OIDC provider,
    /// or the <c>aws1</c> form (IMDSv2 URLs, STS verification URL) for an AWS provider.
    /// </summary>
    /// <param name="provider">The workload identity pool provider (its <see cref="WorkloadIdentityProviderBuilder.Audience"/>).</param>
    /// <param name="serviceAccountEmail">The service account to impersonate, or <see langword="null"/> for direct federated access.</param>
    /// <param name="subjectTokenFile">For an OIDC provider: the projected token file, e.g. <c>/var/run/secrets/eks.amazonaws.com/serviceaccount/token</c>.</param>
    /// <param name="tokenLifetimeSeconds">The <c>service_account_impersonation.token_lifetime_seconds</c>, if any.</param>
    /// <returns>The JSON, indented.</returns>
    /// <exception cref="ArgumentException">An OIDC provider is given without a token file.</exception>
    public string CreateCredentialConfiguration(WorkloadIdentityProviderBuilder provider, string? serviceAccountEmail = null, string? subjectTokenFile = null, int? tokenLifetimeSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        JsonObject source;
        if (provider.Kind == WorkloadIdentityProviderKind.Aws)
        {
            source = new JsonObject
            {
                ["environment_id"] = "aws1",
                ["region_url"] = new Uri(InstanceMetadataEndpoint, "latest/meta-data/placement/availability-zone").AbsoluteUri,
                ["url"] = new Uri(InstanceMetadataEndpoint, "latest/meta-data/iam/security-credentials").AbsoluteUri,
                ["regional_cred_verification_url"] = AwsStsEndpoint.AbsoluteUri + "?Action=GetCallerIdentity&Version=2011-06-15",
                ["imdsv2_session_token_url"] = new Uri(InstanceMetadataEndpoint, "latest/api/token").AbsoluteUri,
            };
        }
        else
        {
            if (string.IsNullOrEmpty(subjectTokenFile))
            {
                throw new ArgumentException("An OIDC provider's configuration reads its subject token from a file: pass subjectTokenFile.", nameof(subjectTokenFile));
            }

            source = new JsonObject { ["file"] = subjectTokenFile, ["format"] = new JsonObject { ["type"] = "text" } };
        }

        var configuration = new JsonObject
        {
            ["type"] = "external_account",
            ["audience"] = provider.Audience,
            ["subject_token_type"] = provider.SubjectTokenType,
            ["token_url"] = GoogleStsTokenUri.AbsoluteUri,
            ["credential_source"] = source,
        };
        if (serviceAccountEmail is not null)
        {
            configuration["service_account_impersonation_url"] = ServiceAccountImpersonationUri(serviceAccountEmail).AbsoluteUri;
            if (tokenLifetimeSeconds is { } seconds)
            {
                configuration["service_account_impersonation"] = new JsonObject { ["token_lifetime_seconds"] = seconds };
            }
        }

        return configuration.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private IEnumerable<IEmulatedEndpoint> CreateGoogleEndpoints(JwtVerifier jwts, AwsStsEndpoint awsSts)
    {
        CloudEmulatorBuilder b = _configuration;
        _googleTokens = new GoogleTokenStore(b.Clock);
        yield return new GoogleStsEndpoint(b.Pools, jwts, awsSts, () => AwsStsEndpoint.Authority, _googleTokens);
        yield return new IamCredentialsEndpoint(b.ServiceAccounts, _googleTokens, SigningKey.ForSlot(GoogleKeySlot));
        yield return new StorageEndpoint(b.Buckets, _googleTokens, b.Clock);
        yield return new BigQueryEndpoint(b.Datasets, _googleTokens);
    }
}
