using System.Text.Json;
using System.Text.RegularExpressions;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Cli.Emulator;
using CrossCloudAuth.Testing.Aws;

namespace CrossCloudAuth.Cli.Tests.Commands;

public sealed partial class EksTokenCommandTests
{
    // k8s.io/client-go/pkg/apis/clientauthentication/{v1,v1beta1} types.go: ExecCredential{TypeMeta; Spec ExecCredentialSpec;
    // Status *ExecCredentialStatus}, ExecCredentialStatus{ExpirationTimestamp *metav1.Time (RFC 3339); Token;
    // ClientCertificateData; ClientKeyData}. kubectl decodes strictly: no other field, and the apiVersion it asked for.
    private static readonly string[] TopLevelFields = ["kind", "apiVersion", "spec", "status"];
    private static readonly string[] StatusFields = ["expirationTimestamp", "token", "clientCertificateData", "clientKeyData"];

    [Theory]
    [InlineData(ExecCredential.ApiVersionV1)]
    [InlineData(ExecCredential.ApiVersionV1Beta1)]
    public async Task EksToken_KubectlAsksForAVersion_AnswersThatVersionWithATokenTheClusterAccepts(string version)
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        Dictionary<string, string> variables = cloud.PodVariables.With(ExecCredential.ExecInfoVariable, $$$"""{"kind":"ExecCredential","apiVersion":"{{{version}}}","spec":{"interactive":false}}""");

        CliResult result = await CliRunner.RunAsync(variables, "eks-token", "--cluster", LocalCloud.Cluster, "--profile", "target");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.All(root.EnumerateObject(), p => Assert.Contains(p.Name, TopLevelFields));
        Assert.Equal("ExecCredential", root.GetProperty("kind").GetString());
        Assert.Equal(version, root.GetProperty("apiVersion").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("spec").ValueKind);
        JsonElement status = root.GetProperty("status");
        Assert.All(status.EnumerateObject(), p => Assert.Contains(p.Name, StatusFields));
        Assert.Matches(Rfc3339Utc(), status.GetProperty("expirationTimestamp").GetString());
        EksTokenReview review = await cloud.Cloud.VerifyEksTokenAsync(status.GetProperty("token").GetString()!, LocalCloud.Cluster);
        Assert.True(review.IsAuthenticated, review.ToString());
        Assert.Equal(LocalCloud.TargetRoleArn, review.CanonicalArn);
    }

    [Fact]
    public async Task EksToken_NoExecInfo_AnswersV1Beta1LikeTheAwsCli()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables, "eks-token", "--cluster", LocalCloud.Cluster, "--role-arn", LocalCloud.TargetRoleArn);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal(ExecCredential.ApiVersionV1Beta1, json.RootElement.GetProperty("apiVersion").GetString());
    }

    [Fact]
    public async Task EksToken_UnsupportedVersion_ExitsConfigurationBeforeAnyCall()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        Dictionary<string, string> variables = cloud.PodVariables.With(ExecCredential.ExecInfoVariable, """{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}""");

        CliResult result = await CliRunner.RunAsync(variables, "eks-token", "--cluster", LocalCloud.Cluster);

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("v1alpha1", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Empty(cloud.Cloud.Requests.For(CrossCloudAuth.Testing.EmulatedService.AwsSts));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex Rfc3339Utc();
}
