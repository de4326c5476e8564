using System.Net;

namespace CrossCloudAuth.Testing.Hosting;

/// <summary>
/// One request the emulator received, with everything needed for assertions. Tests own the secrets the
/// emulator hands out, so the record keeps headers and bodies in full: do not log it in shared CI output.
/// </summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(
        EmulatedService service,
        DateTimeOffset receivedAt,
        string method,
        string path,
        string query,
        IReadOnlyDictionary<string, string> headers,
        string body,
        IReadOnlyDictionary<string, string> form)
    {
        Service = service;
        ReceivedAt = receivedAt;
        Method = method;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
        Form = form;
    }

    /// <summary>Gets the service that received the request.</summary>
    public EmulatedService Service { get; }

    /// <summary>Gets when the request arrived, on the emulator's clock.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; }

    /// <summary>Gets the decoded path.</summary>
    public string Path { get; }

    /// <summary>Gets the raw query string, without <c>?</c>.</summary>
    public string Query { get; }

    /// <summary>Gets the request headers (names case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Gets the request body as UTF-8 text.</summary>
    public string Body { get; }

    /// <summary>Gets the form fields of an <c>application/x-www-form-urlencoded</c> body (empty otherwise).</summary>
    public IReadOnlyDictionary<string, string> Form { get; }

    /// <summary>Gets the status code sent, or <see langword="null"/> when the connection was dropped or hung.</summary>
    public HttpStatusCode? StatusCode { get; internal set; }

    /// <summary>Gets the fault injected into this request, if any.</summary>
    public Faults.Fault? Fault { get; internal set; }

    /// <summary>Gets the response body sent, as UTF-8 text (empty until the response is written, and for injected
    /// faults that replace the service). It holds the tokens and keys the emulator minted, so that a test can look
    /// for them elsewhere.</summary>
    public string ResponseBody { get; internal set; } = string.Empty;

    /// <summary>Gets the service's error code (AWS <c>Code</c>, Google <c>error</c> / <c>status</c>), if it rejected the request.</summary>
    public string? ErrorCode { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Service} {Method} {Path} -> {(StatusCode is { } s ? ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response")}";
}
