namespace CrossCloudAuth.Cli.Emulator;

/// <summary>Knobs of the local cloud: the defaults make every flow succeed; each knob reproduces one pitfall.</summary>
internal sealed class LocalCloudOptions
{
    /// <summary>Gets or sets the audiences the Google OIDC provider accepts (seed 000: the IRSA token's <c>sts.amazonaws.com</c>).</summary>
    public string OidcAllowedAudience { get; set; } = "sts.amazonaws.com";

    /// <summary>Gets or sets the Google OIDC provider's attribute condition.</summary>
    public string? OidcCondition { get; set; } = "attribute.namespace == 'default'";

    /// <summary>Gets or sets a value indicating whether the Google OIDC provider trusts another cluster's issuer than the pod's.</summary>
    public bool OidcProviderTrustsOtherIssuer { get; set; }

    /// <summary>Gets or sets a value indicating whether the Google OIDC provider is disabled (Google STS answers
    /// <c>invalid_target</c>, as for a deleted provider or a wrong audience in the configuration).</summary>
    public bool OidcProviderDisabled { get; set; }

    /// <summary>Gets or sets a value indicating whether the app role trusts another cluster's issuer, so that the
    /// account has no IAM OIDC provider for the pod's issuer.</summary>
    public bool AppRoleTrustsOtherIssuer { get; set; }

    /// <summary>Gets or sets a value indicating whether the service account grants <c>roles/iam.workloadIdentityUser</c> to the pod's principal.</summary>
    public bool BindPodPrincipal { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the service account grants it to the instance role's principal set.</summary>
    public bool BindInstanceRole { get; set; } = true;

    /// <summary>Gets or sets the <c>sub</c> the app role's trust policy requires.</summary>
    public string AppRoleSubject { get; set; } = LocalCloud.PodSubject;

    /// <summary>Gets or sets the <c>aud</c> the app role's trust policy requires.</summary>
    public string AppRoleAudience { get; set; } = "sts.amazonaws.com";

    /// <summary>Gets or sets the lifetime of the projected token file.</summary>
    public TimeSpan PodTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Gets or sets the emulated clouds' clock (<see langword="null"/>: the system clock).</summary>
    public TimeProvider? CloudClock { get; set; }
}
