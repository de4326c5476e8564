using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using CrossCloudAuth.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.EndToEndTests.Sweep;

/// <summary>
/// Everything the library lets out while a flow runs: every log message at Trace with its structured state, scopes
/// and exception; every measurement of the <c>CrossCloudAuth</c> meter with its tags; every span of the
/// <c>CrossCloudAuth</c> source with its tags, events and status; plus what a test adds (exceptions, <c>ToString()</c>
/// of the objects the flow produced). Each entry is rendered to text on the thread that produced it.
/// </summary>
internal sealed class SweepCapture : ILoggerFactory
{
    private readonly ConcurrentQueue<(string Where, string Text)> _entries = new();
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;

    public SweepCapture()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CrossCloudAuthDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Measurement(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Measurement(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Measurement(i, v, tags));
        _meters.Start();

        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CrossCloudAuthDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a => Add("span-start", Render(a)),
            ActivityStopped = a => Add("span", Render(a)),
        };
        ActivitySource.AddActivityListener(_activities);
    }

    /// <summary>Gets every captured entry so far: where it came from and its text.</summary>
    public IReadOnlyList<(string Where, string Text)> Entries => [.. _entries];

    /// <summary>Collects the observable instruments (gauges of time to expiry, hit totals) now.</summary>
    public void CollectObservables() => _meters.RecordObservableInstruments();

    public void Add(string where, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _entries.Enqueue((where, text));
        }
    }

    /// <summary>Captures an exception as a user sees it: <c>ToString()</c> (inner exceptions included), and every <c>Data</c> entry of the chain.</summary>
    public void AddException(Exception? error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (ReferenceEquals(e, error))
            {
                Add("exception", e.ToString());
            }

            Add("exception.message", e.Message);
            foreach (DictionaryEntry entry in e.Data)
            {
                Add("exception.data", $"{entry.Key}={RenderValue(entry.Value)}");
            }

            if (e is CrossCloudAuthException ours)
            {
                Add("exception.hop", $"{ours.HopName} {ours.GetType().Name}");
            }

            if (e is AggregateException aggregate)
            {
                foreach (Exception inner in aggregate.InnerExceptions)
                {
                    AddException(inner);
                }
            }
        }
    }

    /// <summary>Captures <c>ToString()</c> of an object the flow produced.</summary>
    public void AddObject(object? value) => Add($"ToString({value?.GetType().Name})", value?.ToString());

    /// <summary>Runs <paramref name="action"/>, captures its exception if it throws, and returns it.</summary>
    public async Task<Exception?> CatchAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception e)
        {
            AddException(e);
            return e;
        }
    }

    ILogger ILoggerFactory.CreateLogger(string categoryName) => new Logger(this, categoryName);

    void ILoggerFactory.AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The sweep's factory captures; it does not forward.");

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    internal static string RenderValue(object? value) => value switch
    {
        null => "null",
        string s => s,
        IEnumerable<KeyValuePair<string, object?>> pairs => string.Join(", ", pairs.Select(p => $"{p.Key}={RenderValue(p.Value)}")),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(RenderValue)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private void Measurement<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new System.Text.StringBuilder($"{instrument.Name} {value}");
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            text.Append(CultureInfo.InvariantCulture, $" {tag.Key}={RenderValue(tag.Value)}");
        }

        Add("metric", text.ToString());
    }

    private static string Render(Activity activity)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{activity.OperationName} | {activity.DisplayName} | {activity.Status} {activity.StatusDescription}");
        foreach (KeyValuePair<string, object?> tag in activity.TagObjects)
        {
            text.Append(CultureInfo.InvariantCulture, $" | {tag.Key}={RenderValue(tag.Value)}");
        }

        foreach (ActivityEvent e in activity.Events)
        {
            text.Append(CultureInfo.InvariantCulture, $" | event {e.Name}");
            foreach (KeyValuePair<string, object?> tag in e.Tags)
            {
                text.Append(CultureInfo.InvariantCulture, $" {tag.Key}={RenderValue(tag.Value)}");
            }
        }

        foreach (KeyValuePair<string, string?> item in activity.Baggage)
        {
            text.Append(CultureInfo.InvariantCulture, $" | baggage {item.Key}={item.Value}");
        }

        return text.ToString();
    }

    private sealed class Logger(SweepCapture capture, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture.Add($"log-scope {category}", RenderValue(state) + " | " + state);
            return NoScope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string where = $"log {category} {eventId.Id} {logLevel}";
            capture.Add(where, formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (KeyValuePair<string, object?> pair in pairs)
                {
                    capture.Add(where + " state", $"{pair.Key}={RenderValue(pair.Value)}");
                }
            }
            else
            {
                capture.Add(where + " state", RenderValue(state));
            }

            capture.AddException(exception);
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose()
        {
        }
    }
}
