using System.Text.Json.Nodes;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>What botocore computed for a signed request (see <c>python/sigv4_verify.py</c>).</summary>
internal sealed record BotocoreVerdict(string Mode, bool Match, string CanonicalRequest, string StringToSign, string Region, string Service);

/// <summary>botocore as an independent SigV4 implementation: recomputes the signature of a request we produced.</summary>
internal static class BotocoreSigV4
{
    public static async Task<BotocoreVerdict> VerifyAsync(
        string method,
        string url,
        IEnumerable<KeyValuePair<string, string>> headers,
        string body,
        string accessKeyId,
        string secretAccessKey,
        string? sessionToken,
        CancellationToken cancellationToken = default)
    {
        var headerArray = new JsonArray();
        foreach (var (key, value) in headers)
        {
            headerArray.Add(new JsonObject { ["key"] = key, ["value"] = value });
        }

        var input = new JsonObject
        {
            ["method"] = method,
            ["url"] = url,
            ["headers"] = headerArray,
            ["body"] = body,
            ["accessKeyId"] = accessKeyId,
            ["secretAccessKey"] = secretAccessKey,
            ["sessionToken"] = sessionToken,
        };
        var result = await ToolProcess.RunAsync(
            new ProcessSpec("python3", [Path.Combine(ConformanceEnvironment.PythonDirectory, "sigv4_verify.py")])
            {
                StandardInput = input.ToJsonString(),
                Timeout = TimeSpan.FromSeconds(30),
            },
            cancellationToken);
        result.EnsureSuccess();
        var output = JsonNode.Parse(result.StandardOutput)!.AsObject();
        return new BotocoreVerdict(
            (string)output["mode"]!,
            (bool)output["match"]!,
            (string)output["canonicalRequest"]!,
            (string)output["stringToSign"]!,
            (string)output["region"]!,
            (string)output["service"]!);
    }
}
