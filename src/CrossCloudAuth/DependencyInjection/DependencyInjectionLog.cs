using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>Log events of the dependency injection registrations; never a token, key or secret.</summary>
internal static partial class DependencyInjectionLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "{Identity}: Google credential from {Origin}; access tokens from {HopName}, service account {ServiceAccount}, scopes {Scopes}, quota project {QuotaProject}.")]
    public static partial void GoogleIdentityCreated(ILogger logger, string identity, string origin, string hopName, string serviceAccount, string scopes, string quotaProject);

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "{Identity}: AWS credentials from {Chain}.")]
    public static partial void AwsIdentityCreated(ILogger logger, string identity, string chain);
}
