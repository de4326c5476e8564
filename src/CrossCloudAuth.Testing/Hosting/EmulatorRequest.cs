using System.Collections.Specialized;
using System.Text;
using System.Web;

namespace CrossCloudAuth.Testing.Hosting;

/// <summary>
/// One HTTP request as an emulated service sees it: fully buffered, independent of ASP.NET Core, so the
/// same handler serves Kestrel and in-process replays (Google STS replaying an <c>aws4_request</c> subject).
/// </summary>
internal sealed class EmulatorRequest
{
    private NameValueCollection? _form;
    private NameValueCollection? _query;

    public EmulatorRequest(string method, string rawTarget, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method;
        RawTarget = rawTarget;
        Headers = headers;
        Body = body;
        int q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        RawPath = q < 0 ? rawTarget : rawTarget[..q];
        RawQuery = q < 0 ? string.Empty : rawTarget[(q + 1)..];
        Path = Uri.UnescapeDataString(RawPath);
    }

    public string Method { get; }

    /// <summary>Gets the request target exactly as sent: path and query, still percent-encoded.</summary>
    public string RawTarget { get; }

    public string RawPath { get; }

    /// <summary>Gets the decoded path.</summary>
    public string Path { get; }

    /// <summary>Gets the query string without the leading <c>?</c>, still percent-encoded.</summary>
    public string RawQuery { get; }

    /// <summary>Gets the headers, names case-insensitive, repeated headers joined with <c>,</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public NameValueCollection Query => _query ??= HttpUtility.ParseQueryString(RawQuery);

    /// <summary>Gets the <c>application/x-www-form-urlencoded</c> body fields (empty for other bodies).</summary>
    public NameValueCollection Form => _form ??= IsForm ? HttpUtility.ParseQueryString(BodyText) : new NameValueCollection();

    public bool IsForm => Header("content-type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    /// <summary>Gets a parameter from the form body, else from the query string (the AWS Query protocol accepts both).</summary>
    public string? Parameter(string name) => Form[name] ?? Query[name];

    /// <summary>Gets the bearer token of the <c>Authorization</c> header, or <see langword="null"/>.</summary>
    public string? BearerToken()
    {
        string? authorization = Header("authorization");
        const string Prefix = "Bearer ";
        return authorization is not null && authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            ? authorization[Prefix.Length..].Trim()
            : null;
    }
}
