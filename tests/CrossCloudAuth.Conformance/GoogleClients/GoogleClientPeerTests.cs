using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;
using Xunit.Abstractions;

namespace CrossCloudAuth.Conformance.GoogleClients;

/// <summary>
/// Google's own clients (gcloud, which carries Google's Python auth library, and the Node.js google-auth-library)
/// complete the exchange against the local Google endpoints. Their requests are the reference the library's are
/// compared with, and the differences between the two Google clients themselves are pinned here so that a change
/// in either shows up.
/// </summary>
public sealed class GoogleClientPeerTests(GooglePeers peers, ITestOutputHelper output) : IClassFixture<GooglePeers>
{
    internal const string StsGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    internal const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    internal const string CloudPlatform = "https://www.googleapis.com/auth/cloud-platform";
    internal const string ReadOnlyStorage = "https://www.googleapis.com/auth/devstorage.read_only";

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task Gcloud_FileSourcedImpersonated_CompletesExchange()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var requests = await RunGcloudAsync("gcloud-file", peers.FileSourcedConfig("gcloud-file"));

        AssertStsBasics(requests, "urn:ietf:params:oauth:token-type:jwt");
        Assert.Equal(GooglePeers.SubjectJwt, requests.StsForm["subject_token"]);
        // Google's Python library asks STS for the narrow iam scope when it will impersonate (Node and Go ask for
        // cloud-platform): both are enough to call generateAccessToken.
        Assert.Equal("https://www.googleapis.com/auth/iam", requests.StsForm["scope"]);
        Assert.False(requests.StsForm.ContainsKey("options"));
        Assert.Equal("Bearer " + GoogleEndpointRecorder.FederatedToken, requests.Impersonation!.Header("authorization"));
        var body = requests.ImpersonationBody;
        Assert.Equal("3600s", (string?)body["lifetime"]);
        Assert.Contains(CloudPlatform, body["scope"]!.AsArray().Select(s => (string?)s));
        output.WriteLine(requests.Sts.Body);
        output.WriteLine(requests.Impersonation.Body);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task Node_FileSourcedImpersonated_CompletesExchange()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        var requests = await RunNodeAsync("node-file", peers.FileSourcedConfig("node-file"), [ReadOnlyStorage]);

        AssertStsBasics(requests, "urn:ietf:params:oauth:token-type:jwt");
        Assert.Equal(GooglePeers.SubjectJwt, requests.StsForm["subject_token"]);
        Assert.Equal(CloudPlatform, requests.StsForm["scope"]);
        Assert.False(requests.StsForm.ContainsKey("options"));
        Assert.Equal("Bearer " + GoogleEndpointRecorder.FederatedToken, requests.Impersonation!.Header("authorization"));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$"""{"scope":["{{ReadOnlyStorage}}"],"lifetime":"3600s"}"""),
            requests.ImpersonationBody), requests.Impersonation.Body);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task Node_TokenLifetime_IsSentAsImpersonationLifetime()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        var requests = await RunNodeAsync("node-lifetime", peers.FileSourcedConfig("node-lifetime", lifetimeSeconds: 7200), [ReadOnlyStorage]);

        Assert.Equal("7200s", (string?)requests.ImpersonationBody["lifetime"]);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task Node_FileSourcedDirect_AsksStsForTheUserScopes()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        var requests = await RunNodeAsync("node-direct", peers.FileSourcedConfig("node-direct", impersonate: false), [ReadOnlyStorage]);

        AssertStsBasics(requests, "urn:ietf:params:oauth:token-type:jwt");
        Assert.Equal(ReadOnlyStorage, requests.StsForm["scope"]);
        Assert.Null(requests.Impersonation);
    }

    [ConformanceFact(ConformanceTool.Gcloud, ConformanceTool.Botocore)]
    public async Task Gcloud_AwsImdsv2_SubjectTokenVerifiesWithBotocore()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud, ConformanceTool.Botocore);

        var requests = await RunGcloudAsync("gcloud-aws", peers.AwsConfig("gcloud-aws"));

        AssertStsBasics(requests, "urn:ietf:params:aws:token-type:aws4_request");
        await AssertAwsSubjectVerifiesAsync(requests);
        AssertImdsv2Used("gcloud-aws");
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore)]
    public async Task Node_AwsImdsv2_SubjectTokenVerifiesWithBotocore()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore);

        var requests = await RunNodeAsync("node-aws", peers.AwsConfig("node-aws"), [ReadOnlyStorage]);

        AssertStsBasics(requests, "urn:ietf:params:aws:token-type:aws4_request");
        await AssertAwsSubjectVerifiesAsync(requests);
        AssertImdsv2Used("node-aws");
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore)]
    public async Task Node_AwsProgrammaticSupplier_SubjectTokenVerifiesWithBotocore()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore);
        var credentials = peers.Recorder.InstanceCredentials;

        var requests = await RunNodeAsync(
            "node-aws-supplier",
            peers.AwsConfig("node-aws-supplier"),
            [ReadOnlyStorage],
            awsSupplier: new JsonObject
            {
                ["region"] = "eu-west-1",
                ["accessKeyId"] = credentials.AccessKeyId,
                ["secretAccessKey"] = credentials.SecretAccessKey,
                ["token"] = credentials.Token,
            });

        AssertStsBasics(requests, "urn:ietf:params:aws:token-type:aws4_request");
        Assert.Equal("https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", (string?)requests.AwsSubject["url"]);
        await AssertAwsSubjectVerifiesAsync(requests);
        Assert.DoesNotContain(peers.Recorder.Requests("node-aws-supplier"), r => r.Path.StartsWith("/latest/", StringComparison.Ordinal));
    }

    internal static void AssertStsBasics(ExchangeRequests requests, string subjectTokenType)
    {
        var form = requests.StsForm;
        Assert.Equal("POST", requests.Sts.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", requests.Sts.Header("content-type"));
        Assert.Equal(StsGrantType, form["grant_type"]);
        Assert.Equal(GooglePeers.Audience, form["audience"]);
        Assert.Equal(AccessTokenType, form["requested_token_type"]);
        Assert.Equal(subjectTokenType, form["subject_token_type"]);
        Assert.Null(requests.Sts.Header("authorization")); // no client authentication for workload identity pools
    }

    private async Task AssertAwsSubjectVerifiesAsync(ExchangeRequests requests)
    {
        var subject = requests.AwsSubject;
        var headers = subject["headers"]!.AsArray()
            .Select(h => new KeyValuePair<string, string>((string)h!["key"]!, (string)h["value"]!))
            .ToList();
        output.WriteLine($"{requests.Client} subject: {subject.ToJsonString()}");
        Assert.Equal("POST", (string?)subject["method"]);
        Assert.Contains(headers, h => h.Key.Equals("x-goog-cloud-target-resource", StringComparison.OrdinalIgnoreCase) && h.Value == GooglePeers.Audience);
        var credentials = peers.Recorder.InstanceCredentials;

        var verdict = await BotocoreSigV4.VerifyAsync("POST", (string)subject["url"]!, headers, string.Empty, credentials.AccessKeyId, credentials.SecretAccessKey, credentials.Token);

        Assert.True(verdict.Match, $"botocore disagrees with {requests.Client}'s signature.\n{verdict.CanonicalRequest}");
        Assert.Equal("sts", verdict.Service);
    }

    private void AssertImdsv2Used(string client)
    {
        var imds = peers.Recorder.Requests(client).Where(r => r.Path.StartsWith("/latest/", StringComparison.Ordinal)).ToList();
        Assert.Equal("PUT", imds[0].Method);
        Assert.All(imds.Where(r => r.Method == "PUT"), r => Assert.NotNull(r.Header("x-aws-ec2-metadata-token-ttl-seconds")));
        Assert.All(imds.Where(r => r.Method == "GET"), r => Assert.Equal(GoogleEndpointRecorder.ImdsSessionToken, r.Header("x-aws-ec2-metadata-token")));
        output.WriteLine($"{client} IMDS: " + string.Join(", ", imds.Select(r => $"{r.Method} {r.Path} ttl={r.Header("x-aws-ec2-metadata-token-ttl-seconds")}")));
    }

    private async Task<ExchangeRequests> RunGcloudAsync(string client, JsonObject config)
    {
        using var gcloud = new Infrastructure.Gcloud();
        var path = peers.WriteConfig(client, config);
        (await gcloud.RunAsync(["auth", "login", $"--cred-file={path}"])).EnsureSuccess();
        var printed = (await gcloud.RunAsync(["auth", "print-access-token"])).EnsureSuccess();
        Assert.Equal(GoogleEndpointRecorder.ServiceAccountToken, printed.StandardOutput.Trim());
        return ExchangeRequests.Of(peers.Recorder, client);
    }

    private async Task<ExchangeRequests> RunNodeAsync(string client, JsonObject config, string[] scopes, JsonObject? awsSupplier = null)
    {
        var input = new JsonObject { ["config"] = config, ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]) };
        if (awsSupplier is not null)
        {
            input["awsSupplier"] = awsSupplier;
        }

        var result = await NodeAuthLibrary.RunAsync(input);
        Assert.False(string.IsNullOrEmpty((string?)result["accessToken"]));
        return ExchangeRequests.Of(peers.Recorder, client);
    }
}
