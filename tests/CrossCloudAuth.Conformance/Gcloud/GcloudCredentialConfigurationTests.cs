using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Gcloud;

/// <summary>gcloud is the source of truth for the credential configuration files users deploy.</summary>
public sealed class GcloudCredentialConfigurationTests(GcloudCredentialConfigurations configurations)
    : IClassFixture<GcloudCredentialConfigurations>
{
    private const string ImpersonationUrl =
        $"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{GcloudCredentialConfigurations.ServiceAccount}:generateAccessToken";

    public static TheoryData<string> FormNames => new(GcloudCredentialConfigurations.Forms.Keys);

    [ConformanceTheory(ConformanceTool.Gcloud)]
    [MemberData(nameof(FormNames))]
    public async Task CreateCredConfig_EveryForm_HasTheExternalAccountShape(string form)
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync(form);

        Assert.Equal("external_account", (string?)json["type"]);
        Assert.Equal("googleapis.com", (string?)json["universe_domain"]);
        Assert.Equal("https://sts.googleapis.com/v1/token", (string?)json["token_url"]);
        Assert.StartsWith("//iam.googleapis.com/", (string?)json["audience"]);
        Assert.NotNull(json["credential_source"]);
        var impersonated = json.ContainsKey("service_account_impersonation_url");
        Assert.Equal(!impersonated, json.ContainsKey("token_info_url")); // gcloud adds introspection only without impersonation
        if (impersonated)
        {
            Assert.Equal(ImpersonationUrl, (string?)json["service_account_impersonation_url"]);
        }
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_OidcFile_WritesFileSourceAndJwtSubject()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync("oidc-file-impersonated");

        Assert.Equal("//iam.googleapis.com/" + GcloudCredentialConfigurations.WorkloadProvider + "eks-oidc", (string?)json["audience"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", (string?)json["subject_token_type"]);
        AssertJsonEqual(new JsonObject { ["file"] = GcloudCredentialConfigurations.TokenFile }, json["credential_source"]);
        Assert.False(json.ContainsKey("service_account_impersonation"));
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_FileWithJsonFormat_WritesFormatObject()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync("oidc-file-json-format");

        AssertJsonEqual(
            JsonNode.Parse("""{"file":"/var/run/token.json","format":{"type":"json","subject_token_field_name":"id_token"}}"""),
            json["credential_source"]);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_UrlWithHeadersAndJsonFormat_WritesAllThree()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync("url-json-headers");

        AssertJsonEqual(
            JsonNode.Parse("""
                {"url":"http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://conformance",
                 "headers":{"Metadata":"True","X-Conformance":"1"},
                 "format":{"type":"json","subject_token_field_name":"access_token"}}
                """),
            json["credential_source"]);
        AssertJsonEqual(JsonNode.Parse("""{"url":"http://127.0.0.1:8080/token"}"""), (await configurations.JsonOfAsync("url-text"))["credential_source"]);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_AwsWithImdsv2_AddsSessionTokenUrl()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var v2 = await configurations.JsonOfAsync("aws-imdsv2-impersonated");
        var v1 = await configurations.JsonOfAsync("aws-imdsv1-direct");

        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", (string?)v2["subject_token_type"]);
        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", (string?)v1["subject_token_type"]);
        var expected = JsonNode.Parse("""
            {"environment_id":"aws1",
             "region_url":"http://169.254.169.254/latest/meta-data/placement/availability-zone",
             "url":"http://169.254.169.254/latest/meta-data/iam/security-credentials",
             "regional_cred_verification_url":"https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"}
            """)!.AsObject();
        AssertJsonEqual(expected, v1["credential_source"]);
        expected["imdsv2_session_token_url"] = "http://169.254.169.254/latest/api/token";
        AssertJsonEqual(expected, v2["credential_source"]);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_Executable_WritesCommandTimeoutAndOutputFile()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync("executable");

        AssertJsonEqual(
            JsonNode.Parse("""{"executable":{"command":"/usr/local/bin/mint-token --audience conformance","timeout_millis":5000,"output_file":"/tmp/conformance-token-cache.json"}}"""),
            json["credential_source"]);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_TokenLifetime_WritesServiceAccountImpersonationObject()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var json = await configurations.JsonOfAsync("lifetime");

        AssertJsonEqual(JsonNode.Parse("""{"token_lifetime_seconds":7200}"""), json["service_account_impersonation"]);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task CreateCredConfig_WorkforcePool_WritesUserProjectAndIdTokenSubject()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var file = await configurations.JsonOfAsync("workforce-file");
        var executable = await configurations.JsonOfAsync("workforce-executable");

        foreach (var json in new[] { file, executable })
        {
            Assert.Equal("//iam.googleapis.com/" + GcloudCredentialConfigurations.WorkforceProvider, (string?)json["audience"]);
            Assert.Equal("conformance-project", (string?)json["workforce_pool_user_project"]);
            Assert.Equal("urn:ietf:params:oauth:token-type:id_token", (string?)json["subject_token_type"]);
        }

        // gcloud fills in the default 30 s timeout_millis when only the interactive timeout is given.
        AssertJsonEqual(
            JsonNode.Parse("""{"executable":{"command":"/usr/local/bin/sso-login","timeout_millis":30000,"output_file":"/tmp/conformance-sso.json","interactive_timeout_millis":60000}}"""),
            executable["credential_source"]);
    }

    private static void AssertJsonEqual(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString()}\nactual   {actual?.ToJsonString()}");
}
