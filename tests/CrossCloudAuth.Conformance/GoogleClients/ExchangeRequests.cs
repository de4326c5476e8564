using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.GoogleClients;

/// <summary>The two requests of one token acquisition, as one client sent them.</summary>
internal sealed record ExchangeRequests(string Client, RecordedRequest Sts, RecordedRequest? Impersonation)
{
    public static ExchangeRequests Of(GoogleEndpointRecorder recorder, string client)
    {
        var requests = recorder.Requests(client);
        var sts = requests.Where(r => r.Path == "/v1/token").ToList();
        Assert.True(sts.Count == 1, $"{client}: expected one STS request, saw {sts.Count}: {string.Join(", ", requests.Select(r => r.Method + " " + r.Path))}");
        var impersonation = requests.Where(r => r.Path.EndsWith(":generateAccessToken", StringComparison.Ordinal)).ToList();
        Assert.True(impersonation.Count <= 1, $"{client}: expected at most one impersonation request, saw {impersonation.Count}");
        return new ExchangeRequests(client, sts[0], impersonation.SingleOrDefault());
    }

    public IReadOnlyDictionary<string, string> StsForm => Sts.Form;

    public JsonObject ImpersonationBody => JsonNode.Parse(Impersonation!.Body)!.AsObject();

    /// <summary>The <c>aws4_request</c> subject token decoded: URL-encoded JSON {url, method, headers[]}.</summary>
    public JsonObject AwsSubject => JsonNode.Parse(Uri.UnescapeDataString(StsForm["subject_token"]))!.AsObject();
}
