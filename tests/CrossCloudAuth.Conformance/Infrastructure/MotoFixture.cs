namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// A class fixture that starts its moto server on first use (so a class whose tests are all skipped starts
/// nothing) and stops it with the class.
/// </summary>
public abstract class MotoFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MotoServer? _server;

    private protected abstract bool Authenticate { get; }

    internal async Task<MotoServer> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _server ??= await MotoServer.StartAsync(Authenticate);
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

/// <summary>moto with request authentication off: web-identity flows (moto cannot authenticate unsigned calls).</summary>
public sealed class OpenMotoFixture : MotoFixture
{
    private protected override bool Authenticate => false;
}

/// <summary>moto verifying every request's SigV4 signature and IAM policy.</summary>
public sealed class AuthenticatingMotoFixture : MotoFixture
{
    private protected override bool Authenticate => true;
}
