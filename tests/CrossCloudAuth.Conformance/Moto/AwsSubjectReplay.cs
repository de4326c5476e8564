using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>
/// Replays an <c>aws4_request</c> subject token the way Google's STS does: URL-decode, parse the JSON, send its
/// method to its URL with exactly its headers and an empty body. The URL's host is kept as the <c>Host</c> header
/// (it is signed); only the connection goes to moto instead of AWS.
/// </summary>
internal static class AwsSubjectReplay
{
    public static JsonObject Decode(string subjectToken) => JsonNode.Parse(Uri.UnescapeDataString(subjectToken))!.AsObject();

    public static string Encode(JsonObject subject) => Uri.EscapeDataString(subject.ToJsonString());

    public static async Task<(int Status, string Body)> SendAsync(MotoServer moto, string subjectToken, CancellationToken cancellationToken = default)
    {
        var subject = Decode(subjectToken);
        var url = new Uri((string)subject["url"]!);
        using var request = new HttpRequestMessage(new HttpMethod((string)subject["method"]!), new Uri(moto.Endpoint, url.PathAndQuery));
        foreach (var header in subject["headers"]!.AsArray())
        {
            var name = (string)header!["key"]!;
            var value = (string)header["value"]!;
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"header {name} could not be added");
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The subject with one header's value replaced (a tampered token).</summary>
    public static string WithHeader(string subjectToken, string name, Func<string, string> change)
    {
        var subject = Decode(subjectToken);
        foreach (var header in subject["headers"]!.AsArray())
        {
            if (((string)header!["key"]!).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                header["value"] = change((string)header["value"]!);
            }
        }

        return Encode(subject);
    }
}
