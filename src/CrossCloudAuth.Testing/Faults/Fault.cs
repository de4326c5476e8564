using System.Net;

namespace CrossCloudAuth.Testing.Faults;

/// <summary>
/// A failure the emulator injects in place of (or around) a service's answer. Create one with the static
/// factories and register it with <see cref="FaultInjector.Add"/>. Immutable.
/// </summary>
/// <remarks>
/// Delays and hangs run on the real clock, never on the emulator's <see cref="TimeProvider"/>, so a test that
/// freezes the emulator clock cannot hang; a hang ends when the client cancels, when <see cref="Duration"/>
/// elapses, or when the emulator is disposed.
/// </remarks>
public sealed class Fault
{
    private Fault(FaultKind kind)
    {
        Kind = kind;
    }

    /// <summary>Gets what the fault does.</summary>
    public FaultKind Kind { get; }

    /// <summary>Gets the status code of a <see cref="FaultKind.Status"/> fault.</summary>
    public HttpStatusCode StatusCode { get; private init; } = HttpStatusCode.OK;

    /// <summary>Gets the <c>Retry-After</c> value sent with a status fault, if any.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Gets the body sent with a status fault; <see langword="null"/> sends a short text.</summary>
    public string? Body { get; private init; }

    /// <summary>Gets how long a delay lasts, or the longest a hang lasts.</summary>
    public TimeSpan Duration { get; private init; }

    /// <summary>Gets the size of an oversized body, in bytes.</summary>
    public int Size { get; private init; }

    /// <summary>Answers with <paramref name="statusCode"/> instead of the service.</summary>
    /// <param name="statusCode">The status code, such as 503 or 429.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header value (whole seconds), or none.</param>
    /// <param name="body">The response body; by default a short text naming the injected fault.</param>
    /// <returns>The fault.</returns>
    public static Fault Status(HttpStatusCode statusCode, TimeSpan? retryAfter = null, string? body = null) =>
        new(FaultKind.Status) { StatusCode = statusCode, RetryAfter = retryAfter, Body = body };

    /// <summary>Waits <paramref name="delay"/> (real time), then lets the service answer.</summary>
    /// <param name="delay">How long to wait.</param>
    /// <returns>The fault.</returns>
    public static Fault Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new(FaultKind.Delay) { Duration = delay };
    }

    /// <summary>Never answers, until the client cancels, <paramref name="maxDuration"/> elapses (default 100 s) or the emulator stops; then aborts.</summary>
    /// <param name="maxDuration">The longest the request is held.</param>
    /// <returns>The fault.</returns>
    public static Fault Hang(TimeSpan? maxDuration = null) =>
        new(FaultKind.Hang) { Duration = maxDuration ?? TimeSpan.FromSeconds(100) };

    /// <summary>Answers 200 with a body that is not valid JSON, XML or token text.</summary>
    /// <returns>The fault.</returns>
    public static Fault MalformedBody() => new(FaultKind.MalformedBody);

    /// <summary>Sends half of the service's body and aborts the connection.</summary>
    /// <returns>The fault.</returns>
    public static Fault TruncatedBody() => new(FaultKind.TruncatedBody);

    /// <summary>Answers 200 with <paramref name="size"/> bytes (default 16 MiB) of JSON-looking filler.</summary>
    /// <param name="size">The body size in bytes.</param>
    /// <returns>The fault.</returns>
    public static Fault OversizedBody(int size = 16 * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return new(FaultKind.OversizedBody) { Size = size };
    }

    /// <summary>Aborts the connection without sending a response.</summary>
    /// <returns>The fault.</returns>
    public static Fault DropConnection() => new(FaultKind.DropConnection);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"Status({(int)StatusCode})",
        FaultKind.Delay or FaultKind.Hang => $"{Kind}({Duration})",
        FaultKind.OversizedBody => $"OversizedBody({Size})",
        _ => Kind.ToString(),
    };
}
