using Amazon.Runtime;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.DependencyInjection;

/// <summary>
/// An AWS SDK <see cref="AWSCredentials"/> over a cached hop, so that every AWS SDK client built with it (S3, SQS, …)
/// signs with the role chain's current credentials. The SDK asks for credentials on every request: a hit reads the
/// lock-free cache and returns the <see cref="ImmutableCredentials"/> made once per rotation.
/// </summary>
internal sealed class CacheBackedAwsCredentials : AWSCredentials
{
    private readonly ICredentialProvider<AwsCredentials> _provider;
    private Issued? _issued;

    public CacheBackedAwsCredentials(ICredentialProvider<AwsCredentials> provider) => _provider = provider;

    public override ImmutableCredentials GetCredentials()
    {
        ValueTask<AwsCredentials> pending = _provider.GetAsync();

        // The SDK's synchronous path: wait for a refresh, as its own refreshing credentials do.
        return IssuedFor(pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Value;
    }

    public override Task<ImmutableCredentials> GetCredentialsAsync()
    {
        ValueTask<AwsCredentials> pending = _provider.GetAsync();
        return pending.IsCompletedSuccessfully ? IssuedFor(pending.Result).Task : SlowAsync(pending);
    }

    private async Task<ImmutableCredentials> SlowAsync(ValueTask<AwsCredentials> pending) =>
        IssuedFor(await pending.ConfigureAwait(false)).Value;

    private Issued IssuedFor(AwsCredentials credentials)
    {
        Issued? issued = Volatile.Read(ref _issued);
        if (issued is not null && ReferenceEquals(issued.Source, credentials))
        {
            return issued;
        }

        ImmutableCredentials immutable = new(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);
        issued = new Issued(credentials, immutable, Task.FromResult(immutable));
        Volatile.Write(ref _issued, issued);
        return issued;
    }

    private sealed record Issued(AwsCredentials Source, ImmutableCredentials Value, Task<ImmutableCredentials> Task);
}
