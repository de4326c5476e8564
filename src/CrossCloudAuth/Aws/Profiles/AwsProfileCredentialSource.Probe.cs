namespace CrossCloudAuth.Aws;

public sealed partial class AwsProfileCredentialSource
{
    /// <summary>Whether the profile this source would use exists, and whether this library can resolve it itself.</summary>
    internal enum ProfileProbeKind
    {
        /// <summary>The profile is not in the files.</summary>
        Missing,

        /// <summary>The profile (and every <c>source_profile</c> it names) is one this source resolves.</summary>
        Supported,

        /// <summary>The profile, or a profile it sources from, uses SSO or MFA: only the AWS SDK resolves it.</summary>
        NeedsAwsSdk,
    }

    /// <summary>What <see cref="ProbeAsync"/> found.</summary>
    /// <param name="Kind">Whether the profile exists and who can resolve it.</param>
    /// <param name="ProfileName">The profile's name (<c>AWS_PROFILE</c>, the option, or <c>default</c>).</param>
    /// <param name="NamedExplicitly">Whether the name came from the options or <c>AWS_PROFILE</c>.</param>
    /// <param name="ConfigPath">The config file read.</param>
    /// <param name="CredentialsPath">The credentials file read.</param>
    /// <param name="Region">The profile's <c>region</c>, if any.</param>
    /// <param name="Reason">What made the profile need the AWS SDK (a setting name, never a value).</param>
    internal sealed record ProfileProbe(ProfileProbeKind Kind, string ProfileName, bool NamedExplicitly, string ConfigPath, string CredentialsPath, string? Region, string? Reason);

    /// <summary>Reads the files (through the environment seam) and says whether the profile exists and whether this
    /// source can resolve it, without building any hop.</summary>
    internal async ValueTask<ProfileProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        ProfileFiles files = await LoadFilesAsync(cancellationToken).ConfigureAwait(false);
        if (!files.Profiles.TryGetValue(_profileName, out Dictionary<string, string>? top))
        {
            return new ProfileProbe(ProfileProbeKind.Missing, _profileName, _profileNamedExplicitly, files.ConfigPath, files.CredentialsPath, null, null);
        }

        string? region = Blank(top.GetValueOrDefault("region"));
        HashSet<string> seen = new(StringComparer.Ordinal);
        for (string? name = _profileName; name is not null && seen.Add(name);)
        {
            if (!files.Profiles.TryGetValue(name, out Dictionary<string, string>? profile))
            {
                break;
            }

            string? needs = profile.ContainsKey("sso_session") || profile.ContainsKey("sso_start_url") ? "sso"
                : Blank(profile.GetValueOrDefault("mfa_serial")) is not null ? "mfa_serial"
                : null;
            if (needs is not null)
            {
                return new ProfileProbe(ProfileProbeKind.NeedsAwsSdk, _profileName, _profileNamedExplicitly, files.ConfigPath, files.CredentialsPath, region, $"profile '{name}' uses {needs}");
            }

            name = Blank(profile.GetValueOrDefault("source_profile"));
        }

        return new ProfileProbe(ProfileProbeKind.Supported, _profileName, _profileNamedExplicitly, files.ConfigPath, files.CredentialsPath, region, null);
    }
}
