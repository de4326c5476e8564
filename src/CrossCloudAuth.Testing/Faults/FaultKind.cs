namespace CrossCloudAuth.Testing.Faults;

/// <summary>What a <see cref="Fault"/> does to a request.</summary>
public enum FaultKind
{
    /// <summary>Answers with a status code (and optionally <c>Retry-After</c> and a body) instead of the service.</summary>
    Status,

    /// <summary>Waits, then lets the service answer normally.</summary>
    Delay,

    /// <summary>Never answers; the request ends when the client gives up or the emulator stops.</summary>
    Hang,

    /// <summary>Replaces the service's successful body with bytes that are not valid JSON or XML.</summary>
    MalformedBody,

    /// <summary>Sends the first half of the service's body, then aborts the connection.</summary>
    TruncatedBody,

    /// <summary>Answers 200 with a body far larger than any credential response.</summary>
    OversizedBody,

    /// <summary>Aborts the connection without a response.</summary>
    DropConnection,
}
