using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace CrossCloudAuth.DependencyInjection;

/// <content>Reading one configuration section strictly: every key read is recorded, so that the keys nobody read
/// (misspellings, settings of another library, code-only properties) are reported with the nearest valid key.</content>
internal static partial class ConfigurationBinding
{
    // Settings of AWS SDK clients that AWSSDK.Extensions.NETCore.Setup reads from its "AWS" section. They are not
    // credential settings; a section shared with the SDK gets a message saying so instead of a guess.
    private static readonly HashSet<string> AwsSdkClientKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "ServiceURL", "DefaultsMode", "RetryMode", "MaxErrorRetry", "Timeout", "UseHttp", "AuthenticationRegion",
        "UseFIPSEndpoint", "UseDualstackEndpoint", "LogMetrics", "LogResponse", "Logging", "DefaultClientConfig",
    };

    private delegate bool TryParse<T>(string value, out T result);

    /// <summary>One section being read; child sections share the error list.</summary>
    private sealed class SectionReader(IConfiguration section, List<string> errors)
    {
        private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Gets the section's own (scalar) value, trimmed, or <see langword="null"/>.</summary>
        public string? Value =>
            section is IConfigurationSection named && !string.IsNullOrWhiteSpace(named.Value) ? named.Value.Trim() : null;

        /// <summary>Gets a value indicating whether the section has a value or keys.</summary>
        public bool Exists => Value is not null || section.GetChildren().Any();

        private string Path => section is IConfigurationSection named ? named.Path : string.Empty;

        public string PathOf(string key) => Path.Length == 0 ? key : ConfigurationPath.Combine(Path, key);

        public void Error(string key, string text) => errors.Add($"The configuration key '{PathOf(key)}' {text}");

        public SectionReader Section(string key)
        {
            _read.Add(key);
            return new SectionReader(section.GetSection(key), errors);
        }

        /// <summary>Reads a list of sections (<c>"Key": [ { ... }, { ... } ]</c>), in index order.</summary>
        public List<SectionReader> Sections(string key)
        {
            _read.Add(key);
            IConfigurationSection list = section.GetSection(key);
            if (!string.IsNullOrWhiteSpace(list.Value))
            {
                Error(key, "is a single value but is a list; write it as a JSON array of objects (\"" + key + "\": [ { ... } ]).");
            }

            List<(int Index, IConfigurationSection Item)> items = [];
            foreach (IConfigurationSection item in list.GetChildren())
            {
                if (int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    items.Add((index, item));
                }
                else
                {
                    errors.Add($"The configuration key '{item.Path}' is not an index of the list '{list.Path}'; write it as a JSON array of objects (\"{key}\": [ {{ ... }} ]).");
                }
            }

            return items.OrderBy(i => i.Index).Select(i => new SectionReader(i.Item, errors)).ToList();
        }

        public void String(string key, Action<string> set)
        {
            if (ReadValue(key) is { } value)
            {
                set(value);
            }
        }

        /// <summary>Reads a list of strings: a JSON array, or one string separated by spaces or commas.</summary>
        public void List(string key, IList<string> target)
        {
            _read.Add(key);
            IConfigurationSection list = section.GetSection(key);
            if (!string.IsNullOrWhiteSpace(list.Value))
            {
                foreach (string item in list.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    target.Add(item);
                }
            }

            foreach (IConfigurationSection item in list.GetChildren())
            {
                if (item.GetChildren().Any())
                {
                    errors.Add($"The configuration key '{item.Path}' is a section, but '{list.Path}' is a list of strings.");
                }
                else if (!string.IsNullOrWhiteSpace(item.Value))
                {
                    target.Add(item.Value.Trim());
                }
            }
        }

        public void Bool(string key, Action<bool> set) =>
            Read(key, "true or false", (string s, out bool v) => bool.TryParse(s, out v), set);

        public void Double(string key, Action<double> set) =>
            Read(key, "a number such as 0.25", (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v), set);

        public void Uri(string key, Action<Uri> set) =>
            Read(key, "an absolute URL", (string s, out Uri v) => System.Uri.TryCreate(s, UriKind.Absolute, out v!), set);

        public void Enum<TEnum>(string key, Action<TEnum> set)
            where TEnum : struct, Enum =>
            Read(key, "one of " + string.Join(", ", System.Enum.GetNames<TEnum>()), (string s, out TEnum v) => System.Enum.TryParse(s, ignoreCase: true, out v) && System.Enum.IsDefined(v), set);

        public void Duration(string key, Action<TimeSpan> set)
        {
            if (ReadValue(key) is not { } value)
            {
                return;
            }

            switch (ConfigurationDuration.Parse(value, out TimeSpan duration))
            {
                case ConfigurationDuration.Outcome.Parsed:
                    set(duration);
                    break;
                case ConfigurationDuration.Outcome.BareNumber:
                    errors.Add($"The configuration value '{PathOf(key)}' is '{value}', a number without a unit, which is ambiguous (.NET reads it as days, AWS and Google settings as seconds); write {ConfigurationDuration.AcceptedForms}.");
                    break;
                default:
                    errors.Add($"The configuration value '{PathOf(key)}' is '{value}', which is not a duration such as 00:30:00 (hh:mm:ss); write {ConfigurationDuration.AcceptedForms}.");
                    break;
            }
        }

        /// <summary>Reports a scalar value given where a section of keys is expected (<c>"Cache": "fast"</c>).</summary>
        public void RejectValue()
        {
            if (Value is not null)
            {
                errors.Add($"The configuration key '{Path}' has a value, but it is a section of keys such as {string.Join(", ", _read.Order(StringComparer.Ordinal))}; write it as a JSON object.");
            }
        }

        /// <summary>Reports every key of the section that no reader asked for. Keys directly under a configuration root
        /// are not checked: a root holds the whole application's settings, not only ours.</summary>
        /// <param name="codeOnly">Properties that exist but cannot come from configuration.</param>
        public void ReportUnknownKeys(string[] codeOnly)
        {
            if (section is not IConfigurationSection)
            {
                return;
            }

            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (_read.Contains(child.Key))
                {
                    continue;
                }

                if (codeOnly.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add($"The configuration key '{child.Path}' is set in code only (an object, not a configuration value); remove it from the configuration.");
                }
                else if (AwsSdkClientKeys.Contains(child.Key))
                {
                    errors.Add($"The configuration key '{child.Path}' is an AWS SDK client setting, not a credential setting; keep it in the AWS SDK's own section (\"AWS\") and remove it here.");
                }
                else
                {
                    string? nearest = KeySuggestion.Nearest(child.Key, _read);
                    string hint = nearest is null
                        ? $"the keys here are {string.Join(", ", _read.Order(StringComparer.Ordinal))}"
                        : $"did you mean {nearest}?";
                    errors.Add($"The configuration key '{child.Path}' is not a setting; {hint}");
                }
            }
        }

        private string? ReadValue(string key)
        {
            _read.Add(key);
            IConfigurationSection child = section.GetSection(key);
            if (child.GetChildren().Any())
            {
                errors.Add($"The configuration key '{child.Path}' is a section, but it is a single value; write it as \"{key}\": \"...\".");
                return null;
            }

            return string.IsNullOrWhiteSpace(child.Value) ? null : child.Value.Trim();
        }

        private void Read<T>(string key, string expected, TryParse<T> parse, Action<T> set)
        {
            if (ReadValue(key) is not { } value)
            {
                return;
            }

            if (parse(value, out T parsed))
            {
                set(parsed);
            }
            else
            {
                errors.Add($"The configuration value '{PathOf(key)}' is '{value}', which is not {expected}.");
            }
        }
    }
}
