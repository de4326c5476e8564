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

    /// <summary>Gets the <c>Content-Type</c> sent by a <see cref="FaultKind.WrongContentType"/> fault.</summary>
    public string? ContentType { get; private init; }

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

    /// <summary>Resets the connection (TCP RST, no response): the client sees "connection reset by peer".</summary>
    /// <returns>The fault.</returns>
    public static Fault ResetConnection() => new(FaultKind.ResetConnection);

    /// <summary>
    /// Answers 200 with a JSON-looking body that never ends: the emulator keeps streaming until the client stops
    /// reading (closes or resets the connection) or the emulator is disposed. No <c>Content-Length</c> is sent, so
    /// only a client-side body cap or deadline ends it.
    /// </summary>
    /// <returns>The fault.</returns>
    /// <remarks>The writes are asynchronous and wait on the client's flow control: a client that stops reading
    /// without closing holds no emulator thread.</remarks>
    public static Fault EndlessBody() => new(FaultKind.EndlessBody);

    /// <summary>Sends the service's status and body with <paramref name="contentType"/> instead of its own.</summary>
    /// <param name="contentType">The <c>Content-Type</c> to send; by default an HTML page's.</param>
    /// <returns>The fault.</returns>
    public static Fault WrongContentType(string contentType = "text/html; charset=utf-8")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        return new(FaultKind.WrongContentType) { ContentType = contentType };
    }

    /// <summary>
    /// Rewrites the expiry of the credential in the service's successful answer so that it lasts
    /// <paramref name="lifetime"/> from the emulator's clock: <c>expires_in</c> (Google STS), <c>expireTime</c>
    /// (IAM Credentials <c>generateAccessToken</c>), the ID token's <c>exp</c> claim (<c>generateIdToken</c>),
    /// <c>Expiration</c> (instance metadata, container credentials, AWS STS XML).
    /// </summary>
    /// <param name="lifetime">Negative for a credential that is already expired, <see cref="TimeSpan.Zero"/>,
    /// or huge (up to <see cref="TimeSpan.MaxValue"/>; absolute times are clamped to the year 9999).</param>
    /// <returns>The fault.</returns>
    /// <remarks>Only the client's view changes: the service still honours the credential for its real lifetime.
    /// A rewritten ID token's signature no longer verifies. Answers without an expiry pass unchanged.</remarks>
    public static Fault TokenLifetime(TimeSpan lifetime) => new(FaultKind.TokenLifetime) { Duration = lifetime };

    /// <summary>Rewrites the credential in a successful answer as already expired (five minutes ago).</summary>
    /// <returns>The fault; the same as <see cref="TokenLifetime(TimeSpan)"/> with minus five minutes.</returns>
    public static Fault ExpiredToken() => TokenLifetime(TimeSpan.FromMinutes(-5));

    /// <summary>Removes the expiry (<c>expires_in</c>, <c>expireTime</c>, <c>Expiration</c>, an ID token's
    /// <c>exp</c> claim) from the service's successful answer.</summary>
    /// <returns>The fault.</returns>
    public static Fault MissingExpiry() => new(FaultKind.MissingExpiry);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"Status({(int)StatusCode})",
        FaultKind.Delay or FaultKind.Hang or FaultKind.TokenLifetime => $"{Kind}({Duration})",
        FaultKind.OversizedBody => $"OversizedBody({Size})",
        FaultKind.WrongContentType => $"WrongContentType({ContentType})",
        _ => Kind.ToString(),
    };
}
