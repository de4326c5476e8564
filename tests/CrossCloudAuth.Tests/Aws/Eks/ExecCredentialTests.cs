using CrossCloudAuth.Platform;
using System.Text.Json;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Eks;

public sealed class ExecCredentialTests
{
    private static readonly AuthToken Token = new("k8s-aws-v1.secret-token-value", new DateTimeOffset(2026, 11, 23, 12, 14, 0, 123, TimeSpan.Zero));

    [Theory]
    [InlineData(ExecCredential.ApiVersionV1)]
    [InlineData(ExecCredential.ApiVersionV1Beta1)]
    public void ToJson_EitherVersion_HasKubectlsShapeWithRfc3339Expiry(string version)
    {
        using JsonDocument json = JsonDocument.Parse(new ExecCredential(Token, version).ToJson());
        JsonElement root = json.RootElement;

        Assert.Equal(["kind", "apiVersion", "spec", "status"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ExecCredential", root.GetProperty("kind").GetString());
        Assert.Equal(version, root.GetProperty("apiVersion").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("spec").ValueKind);
        JsonElement status = root.GetProperty("status");
        Assert.Equal("2026-11-23T12:14:00Z", status.GetProperty("expirationTimestamp").GetString());
        Assert.Equal(Token.Token, status.GetProperty("token").GetString());
    }

    [Fact]
    public void ToJson_Always_IsTheDocumentKubectlReadsInAwsEksGetTokensFieldOrder() =>
        Assert.Equal(
            """
            {
              "kind": "ExecCredential",
              "apiVersion": "client.authentication.k8s.io/v1",
              "spec": {},
              "status": {
                "expirationTimestamp": "2026-11-23T12:14:00Z",
                "token": "k8s-aws-v1.secret-token-value"
              }
            }
            """.ReplaceLineEndings("\n"),
            new ExecCredential(Token, ExecCredential.ApiVersionV1).ToJson());

    [Fact]
    public void ToJson_TokenWithCharactersJsonMustEscape_IsEscaped()
    {
        AuthToken odd = new("a\"b\\c<d>\u0001", Token.ExpiresOn);

        using JsonDocument json = JsonDocument.Parse(new ExecCredential(odd).ToJson());

        Assert.Equal(odd.Token, json.RootElement.GetProperty("status").GetProperty("token").GetString());
    }

    [Theory]
    [InlineData(null, ExecCredential.ApiVersionV1Beta1)]
    [InlineData("", ExecCredential.ApiVersionV1Beta1)]
    [InlineData("""{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}""", ExecCredential.ApiVersionV1)]
    [InlineData("""{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":true}}""", ExecCredential.ApiVersionV1Beta1)]
    public void NegotiateApiVersion_KubernetesExecInfo_AnswersTheVersionAskedFor(string? execInfo, string expected) =>
        Assert.Equal(expected, ExecCredential.NegotiateApiVersion(execInfo));

    [Theory]
    [InlineData("""{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}""")]
    [InlineData("""{"kind":"Pod","apiVersion":"v1"}""")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"ExecCredential\"")]
    [InlineData("""{"kind":"ExecCredential","apiVersion":1}""")]
    [InlineData("""{"kind":["ExecCredential"],"apiVersion":"client.authentication.k8s.io/v1"}""")]
    [InlineData("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\"")]
    public void NegotiateApiVersion_UnsupportedOrMalformed_ThrowsConfigurationExceptionNamingTheVariable(string execInfo)
    {
        CredentialConfigurationException e = Assert.Throws<CredentialConfigurationException>(() => ExecCredential.NegotiateApiVersion(execInfo));
        Assert.Contains(ExecCredential.ExecInfoVariable, e.Message, StringComparison.Ordinal);
        Assert.Equal("kubernetes:exec-credential", e.HopName);
    }

    [Fact]
    public void NegotiateApiVersion_HugeValue_ThrowsConfigurationException() =>
        Assert.Throws<CredentialConfigurationException>(() => ExecCredential.NegotiateApiVersion(new string(' ', 70_000) + "{}"));

    [Fact]
    public void ForRequest_EnvironmentAsksForV1_AnswersV1()
    {
        var environment = new FakeSystemEnvironment().Set(ExecCredential.ExecInfoVariable, """{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{}}""");

        Assert.Equal(ExecCredential.ApiVersionV1, ExecCredential.ForRequest(Token, new CredentialContext { Environment = environment }).ApiVersion);
    }

    [Fact]
    public void ToString_Always_OmitsTheToken()
    {
        string text = new ExecCredential(Token).ToString();

        Assert.DoesNotContain("secret-token-value", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-23T12:14:00Z", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownVersion_ThrowsConfigurationException() =>
        Assert.Throws<CredentialConfigurationException>(() => new ExecCredential(Token, "client.authentication.k8s.io/v2"));
}
