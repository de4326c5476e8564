using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A logger that records every entry, and can be told to throw to play a faulty logging provider.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly TaskCompletionSource<LogEntry> _nextWarning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<LogEntry>> _firstByEventId = new();

    public bool Throws { get; init; }

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    /// <summary>Completes with the first warning (or worse) logged.</summary>
    public Task<LogEntry> FirstWarning => _nextWarning.Task;

    /// <summary>Completes with the first entry of event <paramref name="eventId"/>, even if it was logged already.</summary>
    public Task<LogEntry> WhenLogged(int eventId) => FirstOf(eventId).Task;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        LogEntry entry = new(logLevel, eventId, formatter(state, exception), exception);
        _entries.Enqueue(entry);
        if (logLevel >= LogLevel.Warning)
        {
            _nextWarning.TrySetResult(entry);
        }

        FirstOf(eventId.Id).TrySetResult(entry);

        if (Throws)
        {
            throw new InvalidOperationException("This logging provider is broken.");
        }
    }

    private TaskCompletionSource<LogEntry> FirstOf(int eventId) =>
        _firstByEventId.GetOrAdd(eventId, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
}
