using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>Fixed AWS credentials as a credential source (the programmatic counterpart of Node's supplier).</summary>
internal sealed class StaticAwsCredentials(AwsCredentials credentials) : ICredentialProvider<AwsCredentials>
{
    public string HopName => "static:aws-credentials";

    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);
}
