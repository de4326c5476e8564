namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// Runs the AWS CLI with no configuration of its own (no profile files, no credentials in the environment, a fresh
/// HOME so that its assume-role cache in ~/.aws/cli/cache is neither read nor written), every proxy pointed at a
/// closed port and only 127.0.0.1 reachable, and <c>--output json</c>.
/// </summary>
internal static class AwsCli
{
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        using var home = new TemporaryDirectory("aws-cli-home");
        var variables = new Dictionary<string, string?>
        {
            ["HOME"] = home.Path,
            ["AWS_CONFIG_FILE"] = "/nonexistent/aws/config",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws/credentials",
            ["AWS_PAGER"] = string.Empty,
            ["AWS_METADATA_SERVICE_TIMEOUT"] = "5",
            ["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "2",
            ["HTTPS_PROXY"] = "http://127.0.0.1:9",
            ["HTTP_PROXY"] = "http://127.0.0.1:9",
            ["NO_PROXY"] = "127.0.0.1,localhost",
        };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return await ToolProcess.RunAsync(
            new ProcessSpec("aws", [.. arguments, "--output", "json"]) { Environment = variables, Timeout = TimeSpan.FromSeconds(60) },
            cancellationToken);
    }
}
