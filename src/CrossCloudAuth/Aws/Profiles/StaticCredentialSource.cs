namespace CrossCloudAuth.Aws;

/// <summary>Fixed credentials, such as a profile's <c>aws_access_key_id</c> / <c>aws_secret_access_key</c>.</summary>
internal sealed class StaticCredentialSource(AwsCredentials credentials, string hopName) : ICredentialProvider<AwsCredentials>
{
    public string HopName { get; } = hopName;

    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => new(credentials);
}
