using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>Validates region names and resolves the region from <c>AWS_REGION</c> / <c>AWS_DEFAULT_REGION</c>.</summary>
internal static class AwsRegion
{
    /// <summary>Whether a value looks like an AWS region name (<c>us-east-2</c>, <c>cn-north-1</c>,
    /// <c>us-gov-west-1</c>): lower-case letters, digits and hyphens, so it can be put in a host name safely.</summary>
    public static bool IsValid(string? region)
    {
        if (string.IsNullOrEmpty(region) || region.Length > 64 || region[0] == '-' || region[^1] == '-')
        {
            return false;
        }

        foreach (char c in region)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static void ThrowIfInvalid(string? region, string paramName)
    {
        if (!IsValid(region))
        {
            throw new ArgumentException(
                $"'{region}' is not an AWS region name (lower-case letters, digits and hyphens, such as 'us-east-2').",
                paramName);
        }
    }

    /// <summary>Reads <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>; <see langword="null"/> when neither is set.</summary>
    /// <exception cref="CredentialConfigurationException">The variable holds something that is not a region name.</exception>
    public static string? FromEnvironment(ISystemEnvironment environment, string hopName)
    {
        foreach (string variable in (ReadOnlySpan<string>)[AwsEnvironmentVariables.Region, AwsEnvironmentVariables.DefaultRegion])
        {
            string? value = environment.GetEnvironmentVariable(variable)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!IsValid(value))
            {
                throw new CredentialConfigurationException(
                    hopName,
                    $"{variable} is '{value}', which is not an AWS region name; set it to a region such as 'us-east-2'.");
            }

            return value;
        }

        return null;
    }
}
