using System.Globalization;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using Microsoft.Extensions.Configuration;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// Reads the options from configuration by hand: no reflection (trim- and AOT-safe), only known keys, and a value
/// that does not parse becomes a validation error naming its configuration path instead of an exception thrown from
/// deep inside a binder.
/// </summary>
internal static class ConfigurationBinding
{
    public static void Bind(IConfiguration section, GoogleFromAwsIdentityOptions options)
    {
        List<string> errors = options.BindingErrors;
        ReadString(section, nameof(options.CredentialsFile), v => options.CredentialsFile = v);
        ReadString(section, nameof(options.Audience), v => options.Audience = v);
        ReadString(section, nameof(options.SubjectTokenFile), v => options.SubjectTokenFile = v);
        ReadString(section, nameof(options.SubjectTokenType), v => options.SubjectTokenType = v);
        ReadBool(section, nameof(options.UseAwsCredentials), errors, v => options.UseAwsCredentials = v);
        ReadString(section, nameof(options.AwsRegion), v => options.AwsRegion = v);
        ReadString(section, nameof(options.ServiceAccountEmail), v => options.ServiceAccountEmail = v);
        ReadList(section, nameof(options.Scopes), options.Scopes);
        ReadString(section, nameof(options.QuotaProjectId), v => options.QuotaProjectId = v);
        ReadTimeSpan(section, nameof(options.TokenLifetime), errors, v => options.TokenLifetime = v);
        ReadUri(section, nameof(options.TokenUrl), errors, v => options.TokenUrl = v);
        ReadString(section, nameof(options.UniverseDomain), v => options.UniverseDomain = v);
        ReadBool(section, nameof(options.AllowNonStandardEndpoints), errors, v => options.AllowNonStandardEndpoints = v);
        ReadTimeSpan(section, nameof(options.RequestTimeout), errors, v => options.RequestTimeout = v);
        IConfigurationSection cache = section.GetSection(nameof(options.Cache));
        if (cache.GetChildren().Any())
        {
            options.Cache ??= new RefreshAheadCacheOptions();
            Bind(cache, options.Cache, errors);
        }
    }

    public static void Bind(IConfiguration section, AwsCredentialsOptions options)
    {
        List<string> errors = options.BindingErrors;
        ReadEnum<AwsCredentialSourceKind>(section, nameof(options.Source), errors, v => options.Source = v);
        ReadString(section, nameof(options.Region), v => options.Region = v);
        ReadUri(section, nameof(options.StsServiceUrl), errors, v => options.StsServiceUrl = v);

        IConfigurationSection profile = section.GetSection(nameof(options.Profile));
        ReadString(profile, nameof(AwsProfileCredentialSourceOptions.ProfileName), v => options.Profile.ProfileName = v);
        ReadString(profile, nameof(AwsProfileCredentialSourceOptions.ConfigFile), v => options.Profile.ConfigFile = v);
        ReadString(profile, nameof(AwsProfileCredentialSourceOptions.CredentialsFile), v => options.Profile.CredentialsFile = v);

        IConfigurationSection web = section.GetSection(nameof(options.WebIdentity));
        ReadString(web, nameof(WebIdentityCredentialSourceOptions.RoleArn), v => options.WebIdentity.RoleArn = v);
        ReadString(web, nameof(WebIdentityCredentialSourceOptions.WebIdentityTokenFile), v => options.WebIdentity.WebIdentityTokenFile = v);
        ReadString(web, nameof(WebIdentityCredentialSourceOptions.RoleSessionName), v => options.WebIdentity.RoleSessionName = v);
        ReadTimeSpan(web, nameof(WebIdentityCredentialSourceOptions.Duration), errors, v => options.WebIdentity.Duration = v);

        foreach (IConfigurationSection hop in section.GetSection(nameof(options.RoleChain)).GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue))
        {
            AssumeRoleCredentialSourceOptions role = new();
            ReadString(hop, nameof(role.RoleArn), v => role.RoleArn = v);
            ReadString(hop, nameof(role.RoleSessionName), v => role.RoleSessionName = v);
            ReadString(hop, nameof(role.ExternalId), v => role.ExternalId = v);
            ReadTimeSpan(hop, nameof(role.Duration), errors, v => role.Duration = v);
            ReadString(hop, nameof(role.SourceIdentity), v => role.SourceIdentity = v);
            ReadString(hop, nameof(role.Policy), v => role.Policy = v);
            options.RoleChain.Add(role);
        }

        IConfigurationSection cache = section.GetSection(nameof(options.Cache));
        if (cache.GetChildren().Any())
        {
            options.Cache ??= new RefreshAheadCacheOptions();
            Bind(cache, options.Cache, errors);
        }
    }

    private static void Bind(IConfigurationSection section, RefreshAheadCacheOptions cache, List<string> errors)
    {
        ReadTimeSpan(section, nameof(cache.ClockSkew), errors, v => cache.ClockSkew = v);
        ReadDouble(section, nameof(cache.RefreshLeadRatio), errors, v => cache.RefreshLeadRatio = v);
        ReadTimeSpan(section, nameof(cache.MinimumRefreshLead), errors, v => cache.MinimumRefreshLead = v);
        ReadTimeSpan(section, nameof(cache.MaximumRefreshLead), errors, v => cache.MaximumRefreshLead = v);
        ReadDouble(section, nameof(cache.JitterRatio), errors, v => cache.JitterRatio = v);
        ReadTimeSpan(section, nameof(cache.RetryBackoffInitial), errors, v => cache.RetryBackoffInitial = v);
        ReadTimeSpan(section, nameof(cache.RetryBackoffMaximum), errors, v => cache.RetryBackoffMaximum = v);
    }

    private static void ReadString(IConfiguration section, string key, Action<string> set)
    {
        string? value = section[key];
        if (!string.IsNullOrWhiteSpace(value))
        {
            set(value.Trim());
        }
    }

    private static void ReadList(IConfiguration section, string key, IList<string> target)
    {
        IConfigurationSection list = section.GetSection(key);
        if (!string.IsNullOrWhiteSpace(list.Value))
        {
            // "Scopes": "a b" or "a,b" as one string, as well as a JSON array.
            foreach (string item in list.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                target.Add(item);
            }
        }

        foreach (IConfigurationSection item in list.GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(item.Value))
            {
                target.Add(item.Value.Trim());
            }
        }
    }

    private static void ReadBool(IConfiguration section, string key, List<string> errors, Action<bool> set) =>
        Read(section, key, errors, "true or false", (string s, out bool v) => bool.TryParse(s, out v), set);

    private static void ReadDouble(IConfiguration section, string key, List<string> errors, Action<double> set) =>
        Read(section, key, errors, "a number such as 0.25", (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), set);

    private static void ReadTimeSpan(IConfiguration section, string key, List<string> errors, Action<TimeSpan> set) =>
        Read(section, key, errors, "a duration such as 00:30:00 (hh:mm:ss)", (string s, out TimeSpan v) => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out v), set);

    private static void ReadUri(IConfiguration section, string key, List<string> errors, Action<Uri> set) =>
        Read(section, key, errors, "an absolute URL", (string s, out Uri v) => Uri.TryCreate(s, UriKind.Absolute, out v!), set);

    private static void ReadEnum<TEnum>(IConfiguration section, string key, List<string> errors, Action<TEnum> set)
        where TEnum : struct, Enum =>
        Read(section, key, errors, "one of " + string.Join(", ", Enum.GetNames<TEnum>()), (string s, out TEnum v) => Enum.TryParse(s, ignoreCase: true, out v) && Enum.IsDefined(v), set);

    private static void Read<T>(IConfiguration section, string key, List<string> errors, string expected, TryParse<T> parse, Action<T> set)
    {
        string? value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (parse(value.Trim(), out T parsed))
        {
            set(parsed);
        }
        else
        {
            string path = section is IConfigurationSection named ? $"{named.Path}:{key}" : key;
            errors.Add($"The configuration value '{path}' is '{value}', which is not {expected}.");
        }
    }

    private delegate bool TryParse<T>(string value, out T result);
}
