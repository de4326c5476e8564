using System.Globalization;

namespace CrossCloudAuth.Aws;

/// <summary>Validation of role ARNs and session names, and the default session name.</summary>
internal static class RoleSessionParameters
{
    public const int ChainedRoleMaximumSeconds = 3600;
    public const int MinimumDurationSeconds = 900;
    public const int MaximumDurationSeconds = 43200;

    /// <summary>Checks that a value looks like an IAM role ARN (<c>arn:aws:iam::123456789012:role/name</c>, any partition).</summary>
    public static string ValidateRoleArn(string? roleArn, string hopName, string settingName)
    {
        string? value = roleArn?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new CredentialConfigurationException(hopName, $"{settingName} is required: the ARN of the role to assume, such as 'arn:aws:iam::123456789012:role/my-role'.");
        }

        string[] parts = value.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].StartsWith("role/", StringComparison.Ordinal) || parts[5].Length <= "role/".Length)
        {
            throw new CredentialConfigurationException(hopName, $"{settingName} '{value}' is not an IAM role ARN such as 'arn:aws:iam::123456789012:role/my-role'.");
        }

        return value;
    }

    /// <summary>Checks a session name against STS's rule: 2-64 characters of letters, digits and <c>+=,.@_-</c>.</summary>
    public static string ValidateSessionName(string? sessionName, string hopName, TimeProvider timeProvider)
    {
        if (string.IsNullOrWhiteSpace(sessionName))
        {
            return "crosscloudauth-" + timeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        string value = sessionName.Trim();
        bool valid = value.Length is >= 2 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '=' or ',' or '.' or '@' or '_' or '-');
        return valid
            ? value
            : throw new CredentialConfigurationException(hopName, $"The role session name '{value}' is invalid: use 2 to 64 characters of letters, digits and +=,.@_-.");
    }

    public static int? ValidateDuration(TimeSpan? duration, string hopName)
    {
        if (duration is not TimeSpan value)
        {
            return null;
        }

        int seconds = (int)Math.Ceiling(value.TotalSeconds);
        return seconds is >= MinimumDurationSeconds and <= MaximumDurationSeconds
            ? seconds
            : throw new CredentialConfigurationException(hopName, $"The session duration of {seconds} seconds is out of range: STS accepts 900 to 43200 seconds (and at most the role's maximum session duration).");
    }
}
