namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A credential source whose every fetch is answered by a delegate given the call number; counts its calls.</summary>
internal sealed class DelegateCredentialSource<TCredential>(Func<int, CancellationToken, ValueTask<TCredential>> fetch) : ICredentialProvider<TCredential>
    where TCredential : class, IExpiringCredential
{
    private int _calls;

    public string HopName => "test:delegate";

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<TCredential> GetAsync(CancellationToken cancellationToken = default) =>
        fetch(Interlocked.Increment(ref _calls), cancellationToken);
}
