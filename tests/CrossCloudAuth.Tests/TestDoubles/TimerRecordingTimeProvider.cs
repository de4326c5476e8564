using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A <see cref="FakeTimeProvider"/> that reports the due time of every timer created on it, so that a test
/// can await "the code under test is now waiting" and then advance the clock, without polling.</summary>
internal sealed class TimerRecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>Gets the due times of the timers created so far, in order.</summary>
    public ChannelReader<TimeSpan> Timers => _timers.Reader;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits for the next timer whose due time is not <paramref name="ignored"/> (such as a request deadline).</summary>
    public async Task<TimeSpan> NextTimerAsync(TimeSpan? ignored = null)
    {
        while (true)
        {
            TimeSpan due = await _timers.Reader.ReadAsync();
            if (due != ignored)
            {
                return due;
            }
        }
    }
}
