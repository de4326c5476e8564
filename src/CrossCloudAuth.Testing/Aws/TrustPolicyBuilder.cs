using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Aws;

/// <summary>
/// A role's trust policy: who may assume it. Mirrors the IAM policy statements of seeds such as
/// <c>"Principal": {"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/HOSTPATH"}</c> with
/// <c>StringEquals</c> / <c>StringLike</c> on <c>HOSTPATH:sub</c> and <c>HOSTPATH:aud</c>, and
/// <c>"Principal": {"AWS": "arn:aws:iam::ACCOUNT:role/NAME"}</c> with an optional <c>sts:ExternalId</c>.
/// Only the trust policy is evaluated: identity policies are assumed to allow the call.
/// </summary>
public sealed class TrustPolicyBuilder
{
    private readonly List<WebIdentityStatement> _webIdentity = [];
    private readonly List<string> _principals = [];

    internal TrustPolicyBuilder()
    {
    }

    internal IReadOnlyList<WebIdentityStatement> WebIdentityStatements => _webIdentity;

    internal IReadOnlyList<string> Principals => _principals;

    internal string? ExternalId { get; private set; }

    /// <summary>
    /// Allows <c>sts:AssumeRoleWithWebIdentity</c> for tokens of <paramref name="issuer"/>; registers the
    /// issuer as an IAM OIDC provider of the account with <paramref name="aud"/> as a client id.
    /// </summary>
    /// <param name="issuer">The OIDC issuer (an EKS cluster's, for IRSA).</param>
    /// <param name="sub">The required <c>sub</c>, such as <c>system:serviceaccount:NS:SA</c>; <c>*</c> and <c>?</c> wildcards make it a <c>StringLike</c> condition; <see langword="null"/> for any subject.</param>
    /// <param name="aud">The required audience (the provider's client id), by default <c>sts.amazonaws.com</c>.</param>
    /// <returns>This builder.</returns>
    public TrustPolicyBuilder AllowWebIdentity(OidcIssuer issuer, string? sub = null, string aud = "sts.amazonaws.com")
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentException.ThrowIfNullOrEmpty(aud);
        _webIdentity.Add(new WebIdentityStatement(issuer, sub, aud));
        return this;
    }

    /// <summary>Allows <c>sts:AssumeRole</c> for an AWS principal.</summary>
    /// <param name="principal">A role ARN (<c>arn:aws:iam::A:role/R</c>, matching its sessions), a user ARN, an account root ARN (<c>arn:aws:iam::A:root</c>) or a 12-digit account id (any principal of that account).</param>
    /// <returns>This builder.</returns>
    public TrustPolicyBuilder AllowPrincipal(string principal)
    {
        ArgumentException.ThrowIfNullOrEmpty(principal);
        _principals.Add(principal.Length == 12 && principal.All(char.IsAsciiDigit) ? $"arn:aws:iam::{principal}:root" : principal);
        return this;
    }

    /// <summary>Requires <c>sts:ExternalId</c> to equal <paramref name="externalId"/> on <c>AssumeRole</c>.</summary>
    /// <param name="externalId">The external id.</param>
    /// <returns>This builder.</returns>
    public TrustPolicyBuilder RequireExternalId(string externalId)
    {
        ArgumentException.ThrowIfNullOrEmpty(externalId);
        ExternalId = externalId;
        return this;
    }

    internal sealed record WebIdentityStatement(OidcIssuer Issuer, string? Subject, string Audience);
}
