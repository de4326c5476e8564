namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// A fixed set of dedicated threads (the calling thread plus <c>threads − 1</c> workers) that run the same work
/// together: started and joined by barriers, so that thread creation and the thread pool stay out of the measurement.
/// </summary>
internal sealed class ThreadGang : IDisposable
{
    private readonly Thread[] _workers;
    private readonly Barrier _start;
    private readonly Barrier _done;
    private Func<int, int>? _work;
    private int _workersTotal;
    private volatile bool _stopping;

    public ThreadGang(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _start = new Barrier(threads);
        _done = new Barrier(threads);
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"gang-{index}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/>(state, share, thread index) on every thread at once, each with an equal
    /// share of <paramref name="total"/>; returns the sum of what the threads returned.</summary>
    public int Run<TState>(TState state, int total, Func<TState, int, int, int> work)
    {
        int share = total / Threads;
        _work = index => work(state, share, index);
        _workersTotal = 0;
        _start.SignalAndWait();
        int mine = _work(0);
        _done.SignalAndWait();
        return mine + Volatile.Read(ref _workersTotal);
    }

    public void Dispose()
    {
        _stopping = true;
        _start.SignalAndWait();
        foreach (Thread worker in _workers)
        {
            worker.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    private void WorkerLoop(int index)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            Interlocked.Add(ref _workersTotal, _work!(index));
            _done.SignalAndWait();
        }
    }
}
