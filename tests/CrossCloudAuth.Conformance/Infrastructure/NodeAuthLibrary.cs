using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>Runs the Node harness (<c>node/external-account-token.mjs</c>) over Google's <c>google-auth-library</c>.</summary>
internal static class NodeAuthLibrary
{
    /// <summary>Sends <paramref name="input"/> as JSON on stdin and returns the JSON the harness printed.</summary>
    public static async Task<JsonObject> RunAsync(JsonObject input, CancellationToken cancellationToken = default)
    {
        var result = await ToolProcess.RunAsync(
            new ProcessSpec("node", [Path.Combine(ConformanceEnvironment.NodeHarnessDirectory, "external-account-token.mjs")])
            {
                WorkingDirectory = ConformanceEnvironment.NodeHarnessDirectory,
                StandardInput = input.ToJsonString(),
                Timeout = TimeSpan.FromSeconds(60),
            },
            cancellationToken);
        JsonObject? output;
        try
        {
            output = JsonNode.Parse(result.StandardOutput)?.AsObject();
        }
        catch (JsonException)
        {
            output = null;
        }

        if (result.ExitCode != 0 || output is null || output.ContainsKey("error"))
        {
            throw new InvalidOperationException(
                $"google-auth-library failed (exit {result.ExitCode}).\n--- stdout ---\n{result.StandardOutput}\n--- stderr ---\n{result.StandardError}");
        }

        return output;
    }
}
