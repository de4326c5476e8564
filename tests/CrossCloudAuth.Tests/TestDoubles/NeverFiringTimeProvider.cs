namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A clock whose timers never fire, as if the host had been suspended or the thread pool starved.</summary>
internal sealed class NeverFiringTimeProvider(TimeProvider clock) : TimeProvider
{
    public int TimersCreated { get; private set; }

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimersCreated++;
        return new DeadTimer();
    }

    private sealed class DeadTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
