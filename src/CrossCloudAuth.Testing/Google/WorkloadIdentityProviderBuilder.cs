using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Google;

/// <summary>The kind of external identity a workload identity pool provider accepts.</summary>
public enum WorkloadIdentityProviderKind
{
    /// <summary>An OIDC issuer's JWTs (<c>subject_token_type</c> <c>urn:ietf:params:oauth:token-type:jwt</c> or <c>id_token</c>).</summary>
    Oidc,

    /// <summary>AWS identities, proven by a signed <c>GetCallerIdentity</c> (<c>urn:ietf:params:aws:token-type:aws4_request</c>).</summary>
    Aws,
}

/// <summary>
/// A workload identity pool provider: which external tokens Google STS accepts for its audience, how their
/// claims map to Google attributes (<c>google.subject</c>, <c>attribute.*</c>) and which condition they must meet.
/// </summary>
public sealed class WorkloadIdentityProviderBuilder
{
    private readonly List<string> _allowedAudiences = [];
    private readonly Dictionary<string, string> _mapping = new(StringComparer.Ordinal);

    internal WorkloadIdentityProviderBuilder(WorkloadIdentityPoolBuilder pool, string providerId, WorkloadIdentityProviderKind kind, OidcIssuer? issuer, string? awsAccountId)
    {
        Pool = pool;
        ProviderId = providerId;
        Kind = kind;
        Issuer = issuer;
        AwsAccountId = awsAccountId;
        if (kind == WorkloadIdentityProviderKind.Aws)
        {
            // Google's default AWS mapping.
            _mapping["google.subject"] = "assertion.arn";
            _mapping["attribute.aws_role"] = "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn";
        }
        else
        {
            _mapping["google.subject"] = "assertion.sub";
        }
    }

    /// <summary>Gets the pool the provider belongs to.</summary>
    public WorkloadIdentityPoolBuilder Pool { get; }

    /// <summary>Gets the provider id.</summary>
    public string ProviderId { get; }

    /// <summary>Gets the kind of identity the provider accepts.</summary>
    public WorkloadIdentityProviderKind Kind { get; }

    /// <summary>Gets the provider's full resource name, <c>projects/N/locations/global/workloadIdentityPools/P/providers/X</c>.</summary>
    public string ResourceName => $"{Pool.ResourceName}/providers/{ProviderId}";

    /// <summary>Gets the STS <c>audience</c> for this provider, <c>//iam.googleapis.com/projects/N/…/providers/X</c>.</summary>
    public string Audience => "//iam.googleapis.com/" + ResourceName;

    /// <summary>Gets the expected subject token type: <c>urn:ietf:params:oauth:token-type:jwt</c> or <c>urn:ietf:params:aws:token-type:aws4_request</c>.</summary>
    public string SubjectTokenType => Kind == WorkloadIdentityProviderKind.Aws
        ? "urn:ietf:params:aws:token-type:aws4_request"
        : "urn:ietf:params:oauth:token-type:jwt";

    internal OidcIssuer? Issuer { get; }

    internal string? AwsAccountId { get; }

    internal string? Condition { get; private set; }

    internal bool Disabled { get; private set; }

    internal IReadOnlyDictionary<string, string> Mapping => _mapping;

    /// <summary>Gets the audiences an OIDC token may carry; by default the provider's name with an <c>https:</c> prefix.</summary>
    public IReadOnlyList<string> AllowedAudiences => _allowedAudiences.Count > 0 ? _allowedAudiences : ["https:" + Audience];

    /// <summary>Sets the audiences an OIDC token may carry (the provider's <c>allowedAudiences</c>), e.g. <c>sts.amazonaws.com</c> for an EKS projected token.</summary>
    /// <param name="audiences">The allowed audiences.</param>
    /// <returns>This builder.</returns>
    public WorkloadIdentityProviderBuilder AllowAudiences(params string[] audiences)
    {
        ArgumentNullException.ThrowIfNull(audiences);
        _allowedAudiences.AddRange(audiences);
        return this;
    }

    /// <summary>Maps an assertion to a Google attribute with a CEL expression, e.g. <c>MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']")</c>.</summary>
    /// <param name="attribute"><c>google.subject</c>, <c>google.groups</c> or <c>attribute.NAME</c>.</param>
    /// <param name="expression">The CEL expression (a subset: member access, indexing, string literals, <c>+</c>, <c>==</c>, <c>!=</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, <c>?:</c>, <c>in</c>, and <c>contains</c> / <c>startsWith</c> / <c>endsWith</c> / <c>extract</c>).</param>
    /// <returns>This builder.</returns>
    public WorkloadIdentityProviderBuilder MapAttribute(string attribute, string expression)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute);
        ArgumentException.ThrowIfNullOrEmpty(expression);
        _ = Sts.CelExpression.Parse(expression);
        _mapping[attribute] = expression;
        return this;
    }

    /// <summary>Sets the attribute condition (CEL over <c>assertion</c>, <c>google</c> and <c>attribute</c>), e.g. <c>"assertion.arn.contains(':assumed-role/ci-role/')"</c>.</summary>
    /// <param name="condition">The condition; credentials for which it is false are rejected with <c>unauthorized_client</c>.</param>
    /// <returns>This builder.</returns>
    public WorkloadIdentityProviderBuilder WithCondition(string condition)
    {
        ArgumentException.ThrowIfNullOrEmpty(condition);
        _ = Sts.CelExpression.Parse(condition);
        Condition = condition;
        return this;
    }

    /// <summary>Disables the provider: STS answers <c>invalid_target</c>, as for a deleted one.</summary>
    /// <returns>This builder.</returns>
    public WorkloadIdentityProviderBuilder Disable()
    {
        Disabled = true;
        return this;
    }
}
