namespace CrossCloudAuth.Testing.Faults;

/// <summary>
/// A registered fault: which requests it applies to, how many more times, and how often. Thread-safe.
/// </summary>
public sealed class FaultRule
{
    private readonly FaultInjector _owner;
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _remaining;
    private int _applied;

    internal FaultRule(FaultInjector owner, EmulatedService service, Fault fault, int? times, double probability, string? pathContains)
    {
        _owner = owner;
        Service = service;
        Fault = fault;
        _remaining = times ?? -1;
        Probability = probability;
        PathContains = pathContains;
    }

    /// <summary>Gets the service whose requests this rule applies to.</summary>
    public EmulatedService Service { get; }

    /// <summary>Gets the injected fault.</summary>
    public Fault Fault { get; }

    /// <summary>Gets the fraction of matching requests (0–1) that get the fault.</summary>
    public double Probability { get; }

    /// <summary>Gets the path fragment a request must contain to match, or <see langword="null"/> for all.</summary>
    public string? PathContains { get; }

    /// <summary>Gets how many times the fault has been applied.</summary>
    public int AppliedCount => Volatile.Read(ref _applied);

    /// <summary>Gets how many more times the fault will be applied; <see langword="null"/> when unlimited.</summary>
    public int? RemainingCount
    {
        get
        {
            int remaining = Volatile.Read(ref _remaining);
            return remaining < 0 ? null : remaining;
        }
    }

    /// <summary>
    /// Completes once the fault has been applied at least <paramref name="count"/> times in total: the point at
    /// which a test may move a fake clock past a client's deadline, knowing the request is being held.
    /// </summary>
    /// <param name="count">The total number of applications to wait for.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the fault has been applied <paramref name="count"/> times.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <remarks>The fault is counted as applied when the request matching it arrives, before its effect (such as
    /// a hang) starts.</remarks>
    public Task WaitForAppliedAsync(int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        TaskCompletionSource signal;
        lock (_waiters)
        {
            if (Volatile.Read(ref _applied) >= count)
            {
                return Task.CompletedTask;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
        }

        return signal.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Removes the rule; requests are no longer affected.</summary>
    public void Remove() => _owner.Remove(this);

    internal bool Matches(EmulatedService service, string path) =>
        service == Service && (PathContains is null || path.Contains(PathContains, StringComparison.Ordinal));

    /// <summary>Claims one application of the fault (for the next N calls), or reports it used up.</summary>
    internal bool TryClaim()
    {
        while (true)
        {
            int remaining = Volatile.Read(ref _remaining);
            if (remaining == 0)
            {
                return false;
            }

            if (remaining < 0 || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                int applied = Interlocked.Increment(ref _applied);
                ReleaseWaiters(applied);
                return true;
            }
        }
    }

    private void ReleaseWaiters(int applied)
    {
        lock (_waiters)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= applied)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
