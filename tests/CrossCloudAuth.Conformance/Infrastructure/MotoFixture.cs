namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// One authenticating moto server for every moto test (a collection fixture). It starts on first use, so a run whose
/// moto tests are all skipped starts nothing, and stops with the collection.
/// </summary>
public sealed class MotoFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MotoServer? _server;

    internal async Task<MotoServer> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _server ??= await MotoServer.StartAsync(authenticate: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }
}

/// <summary>The moto tests share one server (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto";
}
