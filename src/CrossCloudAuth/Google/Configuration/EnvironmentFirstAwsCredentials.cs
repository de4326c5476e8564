using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Google;

/// <summary>
/// The AWS credentials of the <c>aws1</c> pipeline: the environment variables when <c>AWS_ACCESS_KEY_ID</c> is set
/// (checked on every call, as Google's libraries do), otherwise the cached instance metadata credentials.
/// </summary>
internal sealed class EnvironmentFirstAwsCredentials(
    EnvironmentCredentialSource environmentSource,
    RefreshAheadCache<AwsCredentials> metadata,
    ISystemEnvironment environment) : ICredentialProvider<AwsCredentials>, IDisposable
{
    public string HopName => EnvironmentCredentialSource.IsConfigured(environment) ? environmentSource.HopName : metadata.HopName;

    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) =>
        EnvironmentCredentialSource.IsConfigured(environment)
            ? environmentSource.GetAsync(cancellationToken)
            : metadata.GetAsync(cancellationToken);

    public void Dispose() => metadata.Dispose();
}
