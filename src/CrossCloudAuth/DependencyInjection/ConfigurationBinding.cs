using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using Microsoft.Extensions.Configuration;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Reads the options from configuration by hand: no reflection (trim- and AOT-safe), and strict. A value that does
/// not parse, and a key that is not a setting (a misspelling such as <c>ServiceAcountEmail</c>), become validation
/// errors naming the configuration path (and the nearest valid key), reported when the host starts, instead of being
/// ignored or thrown from deep inside a binder.
/// </summary>
internal static partial class ConfigurationBinding
{
    // AWSSDK.Extensions.NETCore.Setup's "AWS" section keys that carry credentials and mean the same here.
    private const string AwsSdkProfilesLocation = "ProfilesLocation";
    private const string AwsSdkSessionRoleArn = "SessionRoleArn";
    private const string AwsSdkSessionName = "SessionName";

    public static void Bind(IConfiguration section, GoogleFromAwsIdentityOptions options)
    {
        SectionReader reader = new(section, options.BindingErrors);
        reader.String(nameof(options.CredentialsFile), v => options.CredentialsFile = v);
        reader.String(nameof(options.Audience), v => options.Audience = v);
        reader.String(nameof(options.SubjectTokenFile), v => options.SubjectTokenFile = v);
        reader.String(nameof(options.SubjectTokenType), v => options.SubjectTokenType = v);
        reader.Bool(nameof(options.UseAwsCredentials), v => options.UseAwsCredentials = v);
        reader.String(nameof(options.AwsRegion), v => options.AwsRegion = v);
        reader.String(nameof(options.ServiceAccountEmail), v => options.ServiceAccountEmail = v);
        reader.List(nameof(options.Scopes), options.Scopes);
        reader.String(nameof(options.QuotaProjectId), v => options.QuotaProjectId = v);
        reader.Duration(nameof(options.TokenLifetime), v => options.TokenLifetime = v);
        reader.Uri(nameof(options.TokenUrl), v => options.TokenUrl = v);
        reader.String(nameof(options.UniverseDomain), v => options.UniverseDomain = v);
        reader.Bool(nameof(options.AllowNonStandardEndpoints), v => options.AllowNonStandardEndpoints = v);
        reader.Duration(nameof(options.RequestTimeout), v => options.RequestTimeout = v);
        BindCache(reader, nameof(options.Cache), () => options.Cache ??= new RefreshAheadCacheOptions());
        reader.ReportUnknownKeys(codeOnly: [nameof(options.SubjectTokenSource), nameof(options.HttpClient), nameof(options.ConfigureCredential)]);
    }

    public static void Bind(IConfiguration section, AwsCredentialsOptions options)
    {
        SectionReader reader = new(section, options.BindingErrors);
        reader.Enum<AwsCredentialSourceKind>(nameof(options.Source), v => options.Source = v);
        reader.String(nameof(options.Region), v => options.Region = v);
        reader.Uri(nameof(options.StsServiceUrl), v => options.StsServiceUrl = v);

        // "Profile": "name" is the AWS SDK's shape; "Profile": { "ProfileName": "name", ... } is ours. Both work.
        SectionReader profile = reader.Section(nameof(options.Profile));
        profile.String(nameof(AwsProfileCredentialSourceOptions.ProfileName), v => options.Profile.ProfileName = v);
        profile.String(nameof(AwsProfileCredentialSourceOptions.ConfigFile), v => options.Profile.ConfigFile = v);
        profile.String(nameof(AwsProfileCredentialSourceOptions.CredentialsFile), v => options.Profile.CredentialsFile = v);
        profile.ReportUnknownKeys(codeOnly: [nameof(AwsProfileCredentialSourceOptions.Sts), nameof(AwsProfileCredentialSourceOptions.InstanceMetadata), nameof(AwsProfileCredentialSourceOptions.Container)]);
        if (profile.Value is { } profileName)
        {
            if (options.Profile.ProfileName is { } named && !string.Equals(named, profileName, StringComparison.Ordinal))
            {
                reader.Error(nameof(options.Profile), $"names the profile '{profileName}' while '{profile.PathOf(nameof(AwsProfileCredentialSourceOptions.ProfileName))}' names '{named}'; keep one of them.");
            }

            options.Profile.ProfileName = profileName;
        }

        reader.String(AwsSdkProfilesLocation, v =>
        {
            if (options.Profile.CredentialsFile is { } file && !string.Equals(file, v, StringComparison.Ordinal))
            {
                reader.Error(AwsSdkProfilesLocation, $"(the AWS SDK's name for the shared credentials file) and '{profile.PathOf(nameof(AwsProfileCredentialSourceOptions.CredentialsFile))}' name different files; keep one of them.");
            }

            options.Profile.CredentialsFile = v;
        });

        SectionReader web = reader.Section(nameof(options.WebIdentity));
        web.String(nameof(WebIdentityCredentialSourceOptions.RoleArn), v => options.WebIdentity.RoleArn = v);
        web.String(nameof(WebIdentityCredentialSourceOptions.WebIdentityTokenFile), v => options.WebIdentity.WebIdentityTokenFile = v);
        web.String(nameof(WebIdentityCredentialSourceOptions.RoleSessionName), v => options.WebIdentity.RoleSessionName = v);
        web.Duration(nameof(WebIdentityCredentialSourceOptions.Duration), v => options.WebIdentity.Duration = v);
        web.RejectValue();
        web.ReportUnknownKeys(codeOnly: [nameof(WebIdentityCredentialSourceOptions.Sts)]);

        foreach (SectionReader hop in reader.Sections(nameof(options.RoleChain)))
        {
            AssumeRoleCredentialSourceOptions role = new();
            hop.String(nameof(role.RoleArn), v => role.RoleArn = v);
            hop.String(nameof(role.RoleSessionName), v => role.RoleSessionName = v);
            hop.String(nameof(role.ExternalId), v => role.ExternalId = v);
            hop.Duration(nameof(role.Duration), v => role.Duration = v);
            hop.String(nameof(role.SourceIdentity), v => role.SourceIdentity = v);
            hop.String(nameof(role.Policy), v => role.Policy = v);
            hop.RejectValue();
            hop.ReportUnknownKeys(codeOnly: [nameof(role.Tags), nameof(role.TransitiveTagKeys), nameof(role.Sts)]);
            options.RoleChain.Add(role);
        }

        BindAwsSdkSessionRole(reader, options);
        BindCache(reader, nameof(options.Cache), () => options.Cache ??= new RefreshAheadCacheOptions());
        reader.ReportUnknownKeys(codeOnly: [nameof(options.HttpClient), nameof(options.SourceProvider), nameof(options.InstanceMetadata), nameof(options.Container)]);
    }

    /// <summary>The AWS SDK's <c>SessionRoleArn</c> (+ <c>SessionName</c>): one role assumed with the first credentials,
    /// which is a one-hop role chain here.</summary>
    private static void BindAwsSdkSessionRole(SectionReader reader, AwsCredentialsOptions options)
    {
        string? roleArn = null;
        string? sessionName = null;
        reader.String(AwsSdkSessionRoleArn, v => roleArn = v);
        reader.String(AwsSdkSessionName, v => sessionName = v);
        if (roleArn is null)
        {
            if (sessionName is not null)
            {
                reader.Error(AwsSdkSessionName, $"is set without '{reader.PathOf(AwsSdkSessionRoleArn)}'; set the role to assume, or remove it.");
            }

            return;
        }

        if (options.RoleChain.Count > 0)
        {
            reader.Error(AwsSdkSessionRoleArn, $"(the AWS SDK's single assumed role) and '{reader.PathOf(nameof(options.RoleChain))}' are both set; move the role into RoleChain, in the order the roles are assumed.");
            return;
        }

        options.RoleChain.Add(new AssumeRoleCredentialSourceOptions { RoleArn = roleArn, RoleSessionName = sessionName });
    }

    private static void BindCache(SectionReader parent, string key, Func<RefreshAheadCacheOptions> cacheOptions)
    {
        SectionReader section = parent.Section(key);
        if (!section.Exists)
        {
            return;
        }

        RefreshAheadCacheOptions cache = cacheOptions();
        section.Duration(nameof(cache.ClockSkew), v => cache.ClockSkew = v);
        section.Double(nameof(cache.RefreshLeadRatio), v => cache.RefreshLeadRatio = v);
        section.Duration(nameof(cache.MinimumRefreshLead), v => cache.MinimumRefreshLead = v);
        section.Duration(nameof(cache.MaximumRefreshLead), v => cache.MaximumRefreshLead = v);
        section.Double(nameof(cache.JitterRatio), v => cache.JitterRatio = v);
        section.Duration(nameof(cache.RetryBackoffInitial), v => cache.RetryBackoffInitial = v);
        section.Duration(nameof(cache.RetryBackoffMaximum), v => cache.RetryBackoffMaximum = v);
        section.Duration(nameof(cache.RefreshTimeout), v => cache.RefreshTimeout = v);
        section.Bool(nameof(cache.SpreadFirstRefresh), v => cache.SpreadFirstRefresh = v);
        section.RejectValue();
        section.ReportUnknownKeys(codeOnly: []);
    }
}
