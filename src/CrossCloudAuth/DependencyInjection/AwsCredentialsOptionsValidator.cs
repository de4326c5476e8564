using CrossCloudAuth.Aws;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>Checks a registered AWS identity when the host starts: binding errors, role ARNs of the chain, durations
/// and the cache settings. Whether the source exists here (a token file, an instance role) is only known when it is
/// first used.</summary>
internal sealed class AwsCredentialsOptionsValidator : IValidateOptions<AwsCredentialsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsCredentialsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string identity = IdentityName.Describe(name).Replace("CrossCloudAuth", "CrossCloudAuth AWS", StringComparison.Ordinal);
        List<string> failures = [.. options.BindingErrors.Select(e => $"{identity}: {e}")];

        if (!Enum.IsDefined(options.Source))
        {
            failures.Add($"{identity}: Source {(int)options.Source} is not one of {string.Join(", ", Enum.GetNames<AwsCredentialSourceKind>())}.");
        }

        for (int i = 0; i < options.RoleChain.Count; i++)
        {
            AssumeRoleCredentialSourceOptions? hop = options.RoleChain[i];
            if (hop is null || string.IsNullOrWhiteSpace(hop.RoleArn))
            {
                failures.Add($"{identity}: RoleChain[{i}] has no RoleArn; every hop of a role chain names the role it assumes, such as arn:aws:iam::222222222222:role/target-role.");
            }
            else if (!hop.RoleArn.Trim().StartsWith("arn:aws", StringComparison.Ordinal) || !hop.RoleArn.Contains(":role/", StringComparison.Ordinal))
            {
                failures.Add($"{identity}: RoleChain[{i}].RoleArn '{hop.RoleArn}' is not a role ARN such as arn:aws:iam::222222222222:role/target-role.");
            }

            if (hop?.Duration is TimeSpan duration && (duration < TimeSpan.FromMinutes(15) || duration > TimeSpan.FromHours(12)))
            {
                failures.Add($"{identity}: RoleChain[{i}].Duration must be between 00:15:00 and 12:00:00 (and a chained session lasts at most 01:00:00); it is {duration}.");
            }
        }

        if (options.WebIdentity?.Duration is TimeSpan webDuration && (webDuration < TimeSpan.FromMinutes(15) || webDuration > TimeSpan.FromHours(12)))
        {
            failures.Add($"{identity}: WebIdentity.Duration must be between 00:15:00 and 12:00:00; it is {webDuration}.");
        }

        if (options.StsServiceUrl is Uri sts && sts.Scheme != Uri.UriSchemeHttps && !sts.IsLoopback)
        {
            failures.Add($"{identity}: StsServiceUrl must be https, or http to a loopback emulator; it is {sts.Scheme}://{sts.Authority}.");
        }

        CacheOptionsValidation.AddFailures(failures, identity, options.Cache);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
