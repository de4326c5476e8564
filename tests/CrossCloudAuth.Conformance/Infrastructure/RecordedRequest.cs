namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>One HTTP request as a Google endpoint received it.</summary>
internal sealed record RecordedRequest(string Client, string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The form fields of an <c>application/x-www-form-urlencoded</c> body (an STS token exchange).</summary>
    public IReadOnlyDictionary<string, string> Form =>
        Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
