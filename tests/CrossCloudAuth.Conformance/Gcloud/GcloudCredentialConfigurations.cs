using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Gcloud;

/// <summary>
/// Every form of credential configuration gcloud writes, generated at test time by
/// <c>gcloud iam workload-identity-pools create-cred-config</c> / <c>gcloud iam workforce-pools create-cred-config</c>
/// (both work offline: they only write a file). Generated once per test class, each form on first use.
/// </summary>
public sealed class GcloudCredentialConfigurations : IDisposable
{
    public const string ProjectNumber = "123456789012";
    public const string Pool = "conformance-pool";
    public const string ServiceAccount = "reader@conformance-project.iam.gserviceaccount.com";
    public const string WorkloadProvider = $"projects/{ProjectNumber}/locations/global/workloadIdentityPools/{Pool}/providers/";
    public const string WorkforceProvider = "locations/global/workforcePools/conformance-workforce/providers/conformance-idp";
    public const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    /// <summary>Name → the create-cred-config arguments after <c>--output-file</c>.</summary>
    public static IReadOnlyDictionary<string, string[]> Forms { get; } = new Dictionary<string, string[]>
    {
        ["oidc-file-impersonated"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "eks-oidc", $"--service-account={ServiceAccount}", $"--credential-source-file={TokenFile}"],
        ["oidc-file-direct"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "eks-oidc", $"--credential-source-file={TokenFile}"],
        ["oidc-file-json-format"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "eks-oidc", $"--service-account={ServiceAccount}", "--credential-source-file=/var/run/token.json", "--credential-source-type=json", "--credential-source-field-name=id_token"],
        ["url-json-headers"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "azure-oidc", $"--service-account={ServiceAccount}", "--credential-source-url=http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://conformance", "--credential-source-headers=Metadata=True,X-Conformance=1", "--credential-source-type=json", "--credential-source-field-name=access_token"],
        ["url-text"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "url-oidc", $"--service-account={ServiceAccount}", "--credential-source-url=http://127.0.0.1:8080/token"],
        ["aws-imdsv2-impersonated"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "aws", $"--service-account={ServiceAccount}", "--aws", "--enable-imdsv2"],
        ["aws-imdsv1-direct"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "aws", "--aws"],
        ["executable"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "exec-oidc", $"--service-account={ServiceAccount}", "--executable-command=/usr/local/bin/mint-token --audience conformance", "--executable-timeout-millis=5000", "--executable-output-file=/tmp/conformance-token-cache.json"],
        ["lifetime"] =
            ["iam", "workload-identity-pools", "create-cred-config", WorkloadProvider + "eks-oidc", $"--service-account={ServiceAccount}", $"--credential-source-file={TokenFile}", "--service-account-token-lifetime-seconds=7200"],
        ["workforce-file"] =
            ["iam", "workforce-pools", "create-cred-config", WorkforceProvider, "--workforce-pool-user-project=conformance-project", "--credential-source-file=/var/run/workforce/id_token", "--subject-token-type=urn:ietf:params:oauth:token-type:id_token"],
        ["workforce-executable"] =
            ["iam", "workforce-pools", "create-cred-config", WorkforceProvider, "--workforce-pool-user-project=conformance-project", "--executable-command=/usr/local/bin/sso-login", "--executable-interactive-timeout-millis=60000", "--executable-output-file=/tmp/conformance-sso.json", "--subject-token-type=urn:ietf:params:oauth:token-type:id_token"],
    };

    private readonly Infrastructure.Gcloud _gcloud = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _generated = new();

    /// <summary>Generates (once) and returns the path of the form's file.</summary>
    public Task<string> PathOfAsync(string form) =>
        _generated.GetOrAdd(form, f => new Lazy<Task<string>>(() => GenerateAsync(f))).Value;

    public async Task<JsonObject> JsonOfAsync(string form) =>
        JsonNode.Parse(await File.ReadAllTextAsync(await PathOfAsync(form)))!.AsObject();

    private async Task<string> GenerateAsync(string form)
    {
        var output = Path.Combine(_gcloud.ConfigDirectory, form + ".json");
        var result = await _gcloud.RunAsync([.. Forms[form], $"--output-file={output}"]);
        result.EnsureSuccess();
        return output;
    }

    public void Dispose() => _gcloud.Dispose();
}
