namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// Runs <c>gcloud</c> in a throw-away configuration folder, with prompts, update checks, usage reporting and the
/// GCE metadata probe switched off, and every proxy pointed at a closed loopback port: anything gcloud tried to send
/// beyond 127.0.0.1 would fail fast instead of reaching Google.
/// </summary>
internal sealed class Gcloud : IDisposable
{
    private readonly TemporaryDirectory _config = new("gcloud");

    public string ConfigDirectory => _config.Path;

    public static Dictionary<string, string?> OfflineEnvironment(string configDirectory) => new()
    {
        ["CLOUDSDK_CONFIG"] = configDirectory,
        ["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1",
        ["CLOUDSDK_CORE_CHECK_GCE_METADATA"] = "false",
        ["CLOUDSDK_CORE_DISABLE_USAGE_REPORTING"] = "true",
        ["CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK"] = "true",
        ["CLOUDSDK_SURVEY_DISABLE_PROMPTS"] = "true",
        ["HTTPS_PROXY"] = "http://127.0.0.1:9",
        ["HTTP_PROXY"] = "http://127.0.0.1:9",
        ["https_proxy"] = "http://127.0.0.1:9",
        ["http_proxy"] = "http://127.0.0.1:9",
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["no_proxy"] = "127.0.0.1,localhost",
    };

    public Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        ToolProcess.RunAsync(
            new ProcessSpec("gcloud", arguments) { Environment = OfflineEnvironment(ConfigDirectory), Timeout = TimeSpan.FromSeconds(90) },
            cancellationToken);

    public void Dispose() => _config.Dispose();
}
