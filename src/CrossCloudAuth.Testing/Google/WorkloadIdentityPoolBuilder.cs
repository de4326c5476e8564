using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Google;

/// <summary>A workload identity pool: its providers, and helpers that spell its IAM principal identifiers.</summary>
public sealed class WorkloadIdentityPoolBuilder
{
    private readonly Dictionary<string, WorkloadIdentityProviderBuilder> _providers = new(StringComparer.Ordinal);

    internal WorkloadIdentityPoolBuilder(string projectNumber, string poolId)
    {
        ProjectNumber = projectNumber;
        PoolId = poolId;
    }

    /// <summary>Gets the project number that owns the pool.</summary>
    public string ProjectNumber { get; }

    /// <summary>Gets the pool id.</summary>
    public string PoolId { get; }

    /// <summary>Gets the pool's resource name, <c>projects/N/locations/global/workloadIdentityPools/P</c>.</summary>
    public string ResourceName => $"projects/{ProjectNumber}/locations/global/workloadIdentityPools/{PoolId}";

    internal IReadOnlyCollection<WorkloadIdentityProviderBuilder> Providers => _providers.Values;

    /// <summary>Adds an OIDC provider trusting <paramref name="issuer"/>.</summary>
    /// <param name="providerId">The provider id.</param>
    /// <param name="issuer">The issuer whose JWTs (verified against its JWKS) are accepted.</param>
    /// <returns>The provider, to set audiences, mapping and condition.</returns>
    public WorkloadIdentityProviderBuilder AddOidcProvider(string providerId, OidcIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return Add(new WorkloadIdentityProviderBuilder(this, providerId, WorkloadIdentityProviderKind.Oidc, issuer, null));
    }

    /// <summary>Adds an AWS provider for <paramref name="accountId"/>, with Google's default AWS attribute mapping (<c>google.subject = assertion.arn</c>, <c>attribute.aws_role</c>).</summary>
    /// <param name="providerId">The provider id.</param>
    /// <param name="accountId">The AWS account whose identities are accepted.</param>
    /// <returns>The provider, to override mapping and condition.</returns>
    public WorkloadIdentityProviderBuilder AddAwsProvider(string providerId, string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return Add(new WorkloadIdentityProviderBuilder(this, providerId, WorkloadIdentityProviderKind.Aws, null, accountId));
    }

    /// <summary>Returns the principal identifier of one federated subject: <c>principal://iam.googleapis.com/POOL/subject/SUBJECT</c>.</summary>
    /// <param name="subject">The mapped <c>google.subject</c>.</param>
    /// <returns>The IAM member.</returns>
    public string Principal(string subject) => $"principal://iam.googleapis.com/{ResourceName}/subject/{subject}";

    /// <summary>Returns the principal-set identifier of identities with an attribute value: <c>principalSet://iam.googleapis.com/POOL/attribute.NAME/VALUE</c>.</summary>
    /// <param name="attribute">The attribute name without the <c>attribute.</c> prefix, e.g. <c>aws_role</c>.</param>
    /// <param name="value">The value, e.g. <c>arn:aws:sts::111122223333:assumed-role/ci-role</c>.</param>
    /// <returns>The IAM member.</returns>
    public string PrincipalSet(string attribute, string value) => $"principalSet://iam.googleapis.com/{ResourceName}/attribute.{attribute}/{value}";

    /// <summary>Returns the principal-set identifier of a group (<c>google.groups</c>): <c>principalSet://iam.googleapis.com/POOL/group/GROUP</c>.</summary>
    /// <param name="group">The group.</param>
    /// <returns>The IAM member.</returns>
    public string Group(string group) => $"principalSet://iam.googleapis.com/{ResourceName}/group/{group}";

    /// <summary>Returns the principal-set identifier of every identity in the pool: <c>principalSet://iam.googleapis.com/POOL/*</c>.</summary>
    /// <returns>The IAM member.</returns>
    public string AllIdentities() => $"principalSet://iam.googleapis.com/{ResourceName}/*";

    private WorkloadIdentityProviderBuilder Add(WorkloadIdentityProviderBuilder provider)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider.ProviderId);
        if (!_providers.TryAdd(provider.ProviderId, provider))
        {
            throw new InvalidOperationException($"The provider {provider.ProviderId} is already in pool {PoolId}.");
        }

        return provider;
    }
}
