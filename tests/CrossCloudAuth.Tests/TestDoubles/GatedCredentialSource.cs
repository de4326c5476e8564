namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>
/// A credential source whose every fetch waits on a gate the test opens, and which counts its calls.
/// </summary>
internal sealed class GatedCredentialSource : ICredentialProvider<AuthToken>
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private TaskCompletionSource _gate = NewGate();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _callSignals = new();
    private int _calls;
    private Exception? _nextError;

    public GatedCredentialSource(TimeProvider time, TimeSpan lifetime, bool open = true)
    {
        _time = time;
        _lifetime = lifetime;
        if (open)
        {
            _gate.SetResult();
        }
    }

    public string HopName => "test:gated";

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completes when the <paramref name="call"/>-th fetch (1-based) has started, even if it already had.</summary>
    public Task WhenCallStarted(int call) => CallSignal(call).Task;

    public TimeSpan Lifetime { get; set; }

    public void Close() => _gate = NewGate();

    public void Open() => _gate.TrySetResult();

    public void FailNext(Exception error) => _nextError = error;

    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        CallSignal(call).TrySetResult();
        await _gate.Task.WaitAsync(cancellationToken);
        Exception? error = Interlocked.Exchange(ref _nextError, null);
        if (error is not null)
        {
            throw error;
        }

        TimeSpan lifetime = Lifetime > TimeSpan.Zero ? Lifetime : _lifetime;
        return new AuthToken($"token-{call}", _time.GetUtcNow() + lifetime);
    }

    private TaskCompletionSource CallSignal(int call) =>
        _callSignals.GetOrAdd(call, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
