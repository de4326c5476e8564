namespace CrossCloudAuth.Aws;

/// <summary>
/// Parses the AWS shared config (<c>~/.aws/config</c>: <c>[default]</c>, <c>[profile name]</c>) and credentials
/// (<c>~/.aws/credentials</c>: <c>[name]</c>) files into profiles of lower-cased keys, the way the AWS CLI reads them:
/// full-line comments (<c>#</c>, <c>;</c>), <c>key = value</c>, indented sub-properties ignored, later keys winning.
/// </summary>
internal static class AwsSharedConfigFile
{
    /// <summary>Parses one file.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="isConfigFile">Whether this is the config file (sections need the <c>profile </c> prefix, except <c>default</c>).</param>
    /// <returns>The profiles by name.</returns>
    public static Dictionary<string, Dictionary<string, string>> Parse(string text, bool isConfigFile)
    {
        Dictionary<string, Dictionary<string, string>> profiles = new(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        bool inSubsection = false;

        foreach (string rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                inSubsection = false;
                current = null;
                int close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    continue;
                }

                string? name = ProfileName(line[1..close].Trim(), isConfigFile);
                if (name is not null)
                {
                    if (!profiles.TryGetValue(name, out current))
                    {
                        current = new Dictionary<string, string>(StringComparer.Ordinal);
                        profiles[name] = current;
                    }
                }

                continue;
            }

            if (current is null)
            {
                continue;
            }

            bool indented = char.IsWhiteSpace(rawLine[0]);
            if (indented && inSubsection)
            {
                // "s3 =\n    max_concurrent_requests = 20": a nested property of the previous key; not ours.
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            string key = line[..equals].Trim().ToLowerInvariant();
            string value = StripInlineComment(line[(equals + 1)..].Trim());
            inSubsection = value.Length == 0;
            current[key] = value;
        }

        return profiles;
    }

    private static string? ProfileName(string section, bool isConfigFile)
    {
        if (!isConfigFile)
        {
            return section.Length == 0 ? null : section;
        }

        if (section == "default")
        {
            return "default";
        }

        if (section.StartsWith("profile", StringComparison.Ordinal) && section.Length > "profile".Length && char.IsWhiteSpace(section["profile".Length]))
        {
            string name = section["profile".Length..].Trim();
            return name.Length == 0 ? null : name;
        }

        // [sso-session x], [services x] and other section kinds are not profiles.
        return null;
    }

    private static string StripInlineComment(string value)
    {
        for (int i = 1; i < value.Length; i++)
        {
            if (value[i] is '#' or ';' && char.IsWhiteSpace(value[i - 1]))
            {
                return value[..i].TrimEnd();
            }
        }

        return value;
    }
}
