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

    /// <summary>Resets the connection (TCP RST) without a response, as a crashed load balancer or a killed
    /// process does.</summary>
    ResetConnection,

    /// <summary>Answers 200 and streams filler without end, until the client stops reading or the emulator stops.</summary>
    EndlessBody,

    /// <summary>Sends the service's answer with another <c>Content-Type</c>, as a proxy or captive portal might.</summary>
    WrongContentType,

    /// <summary>Rewrites the expiry of the credential in a successful answer so that it lasts
    /// <see cref="Fault.Duration"/> from the emulator's clock: negative for an already-expired credential,
    /// zero, or far beyond any real lifetime.</summary>
    TokenLifetime,

    /// <summary>Removes the expiry (<c>expires_in</c>, <c>expireTime</c>, <c>Expiration</c>, a JWT's <c>exp</c>)
    /// from a successful answer.</summary>
    MissingExpiry,
}
