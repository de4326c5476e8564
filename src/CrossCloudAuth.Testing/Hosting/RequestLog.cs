using System.Collections;
using System.Collections.Concurrent;

namespace CrossCloudAuth.Testing.Hosting;

/// <summary>
/// The requests the emulator received, oldest first, for assertions ("exactly one STS call", "the subject
/// token was re-read"). Keeps the most recent 10 000. Thread-safe; enumeration sees a snapshot.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "It is a log, and reads as one in assertions.")]
public sealed class RequestLog : IReadOnlyCollection<RecordedRequest>
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    internal RequestLog()
    {
    }

    /// <summary>Gets the number of recorded requests.</summary>
    public int Count => _requests.Count;

    /// <summary>Returns the requests received by <paramref name="service"/>, oldest first.</summary>
    /// <param name="service">The service.</param>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<RecordedRequest> For(EmulatedService service) => [.. _requests.Where(r => r.Service == service)];

    /// <summary>Forgets every recorded request.</summary>
    public void Clear() => _requests.Clear();

    /// <inheritdoc />
    public IEnumerator<RecordedRequest> GetEnumerator() => ((IEnumerable<RecordedRequest>)_requests.ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(RecordedRequest request)
    {
        _requests.Enqueue(request);
        while (_requests.Count > Capacity && _requests.TryDequeue(out _))
        {
        }
    }
}
