using CrossCloudAuth.Platform;
using System.Text.Json.Nodes;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Google;
using Xunit.Abstractions;

namespace CrossCloudAuth.Conformance.GoogleClients;

/// <summary>
/// The library and Google's own clients, given the same configuration, must send the same requests field by field
/// (grant type, audience, scope, subject token, subject and requested token types, options, impersonation body).
/// Each deliberate difference is asserted explicitly and explained where it is asserted.
/// </summary>
public sealed class LibraryVersusGoogleClientsTests(GooglePeers peers, ITestOutputHelper output) : IClassFixture<GooglePeers>
{
    private const string ReadOnlyStorage = GoogleClientPeerTests.ReadOnlyStorage;

    /// <summary>STS form fields every client must send identically.</summary>
    private static readonly string[] CommonStsFields = ["grant_type", "audience", "requested_token_type", "subject_token_type"];

    [ConformanceFact(ConformanceTool.NodeAuthLibrary, ConformanceTool.Gcloud)]
    public async Task FileSourcedImpersonated_LibraryMatchesNodeAndGcloud()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary, ConformanceTool.Gcloud);

        var ours = await RunLibraryAsync("ours-file", peers.FileSourcedConfig("ours-file"), [ReadOnlyStorage]);
        var node = await RunNodeAsync("node-file-diff", peers.FileSourcedConfig("node-file-diff"), [ReadOnlyStorage]);
        var gcloud = await RunGcloudAsync("gcloud-file-diff", peers.FileSourcedConfig("gcloud-file-diff"));

        AssertSameStsFields(ours, node, [.. CommonStsFields, "subject_token", "scope"]);
        AssertSameStsFields(ours, gcloud, [.. CommonStsFields, "subject_token"]);
        Assert.Equal(node.StsForm.Keys.Order(), ours.StsForm.Keys.Order()); // no extra field (e.g. no "options")
        // Deliberate difference from gcloud only: with impersonation the library (like Node, Go, Java and .NET) asks
        // STS for cloud-platform; Google's Python library asks for the narrower .../auth/iam. Either is sufficient
        // for generateAccessToken, and the user's scopes go to IAM Credentials in both.
        Assert.Equal(GoogleClientPeerTests.CloudPlatform, ours.StsForm["scope"]);
        Assert.Equal("https://www.googleapis.com/auth/iam", gcloud.StsForm["scope"]);

        // Impersonation: same bearer (the federated token), same body as Node.
        Assert.Equal("Bearer " + GoogleEndpointRecorder.FederatedToken, ours.Impersonation!.Header("authorization"));
        Assert.StartsWith("application/json", ours.Impersonation.Header("content-type"));
        AssertSameImpersonationBody(ours, node);
        // gcloud sends "delegates": null and its own scope list (gcloud's login scopes); the library omits an empty
        // delegates list, as Node does, which IAM Credentials treats the same.
        Assert.Equal("3600s", (string?)gcloud.ImpersonationBody["lifetime"]);
        Assert.Null(gcloud.ImpersonationBody["delegates"]);
        Assert.False(ours.ImpersonationBody.ContainsKey("delegates"));
        LogHeaders(ours, node, gcloud);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task TokenLifetime_LibraryMatchesNode()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        var ours = await RunLibraryAsync("ours-lifetime", peers.FileSourcedConfig("ours-lifetime", lifetimeSeconds: 7200), [ReadOnlyStorage]);
        var node = await RunNodeAsync("node-lifetime-diff", peers.FileSourcedConfig("node-lifetime-diff", lifetimeSeconds: 7200), [ReadOnlyStorage]);

        Assert.Equal("7200s", (string?)node.ImpersonationBody["lifetime"]);
        AssertSameImpersonationBody(ours, node);
        Assert.Equal("7200s", (string?)ours.ImpersonationBody["lifetime"]);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task FileSourcedDirect_LibraryMatchesNode()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        var ours = await RunLibraryAsync("ours-direct", peers.FileSourcedConfig("ours-direct", impersonate: false), [ReadOnlyStorage]);
        var node = await RunNodeAsync("node-direct-diff", peers.FileSourcedConfig("node-direct-diff", impersonate: false), [ReadOnlyStorage]);

        AssertSameStsFields(ours, node, [.. CommonStsFields, "subject_token", "scope"]);
        Assert.Equal(node.StsForm.Keys.Order(), ours.StsForm.Keys.Order());
        Assert.Null(ours.Impersonation);
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary)]
    public async Task WorkforcePool_LibraryMatchesNodeOptions()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary);

        JsonObject Workforce(string client)
        {
            var config = peers.FileSourcedConfig(client, impersonate: false);
            config["audience"] = "//iam.googleapis.com/locations/global/workforcePools/conformance-workforce/providers/conformance-idp";
            config["subject_token_type"] = "urn:ietf:params:oauth:token-type:id_token";
            config["workforce_pool_user_project"] = "conformance-project";
            return config;
        }

        var ours = await RunLibraryAsync("ours-workforce", Workforce("ours-workforce"), [ReadOnlyStorage]);
        var node = await RunNodeAsync("node-workforce", Workforce("node-workforce"), [ReadOnlyStorage]);

        AssertSameStsFields(ours, node, ["grant_type", "audience", "requested_token_type", "subject_token_type", "subject_token", "scope"]);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(node.StsForm["options"]), JsonNode.Parse(ours.StsForm["options"])),
            $"ours options {ours.StsForm.GetValueOrDefault("options")}\nnode options {node.StsForm["options"]}");
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary, ConformanceTool.Gcloud, ConformanceTool.Botocore)]
    public async Task AwsImdsv2_LibraryMatchesNodeAndGcloud()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary, ConformanceTool.Gcloud, ConformanceTool.Botocore);

        var ours = await RunLibraryAwsAsync("ours-aws", [ReadOnlyStorage]);
        var node = await RunNodeAsync("node-aws-diff", peers.AwsConfig("node-aws-diff"), [ReadOnlyStorage]);
        var gcloud = await RunGcloudAsync("gcloud-aws-diff", peers.AwsConfig("gcloud-aws-diff"));

        AssertSameStsFields(ours, node, [.. CommonStsFields, "scope"]);
        AssertSameStsFields(ours, gcloud, CommonStsFields);
        AssertSameAwsSubject(ours, node);
        AssertSameAwsSubject(ours, gcloud);
        await AssertBotocoreVerifiesAsync(ours);

        // Instance metadata: every client opens with an IMDSv2 session (PUT, TTL 300 s) and sends the session token
        // on every GET. Google's clients fetch a new session token before each of the region and credential reads;
        // the library reuses one session token until shortly before its TTL ends (fewer round trips, same protocol).
        foreach (var client in new[] { "ours-aws", "node-aws-diff", "gcloud-aws-diff" })
        {
            var imds = peers.Recorder.Requests(client).Where(r => r.Path.StartsWith("/latest/", StringComparison.Ordinal)).ToList();
            output.WriteLine($"{client} IMDS: " + string.Join(", ", imds.Select(r => $"{r.Method} {r.Path} ttl={r.Header("x-aws-ec2-metadata-token-ttl-seconds")}")));
            Assert.Equal("PUT", imds[0].Method);
            Assert.All(imds.Where(r => r.Method == "PUT"), r => Assert.Equal("300", r.Header("x-aws-ec2-metadata-token-ttl-seconds")));
            Assert.All(imds.Where(r => r.Method == "GET"), r => Assert.Equal(GoogleEndpointRecorder.ImdsSessionToken, r.Header("x-aws-ec2-metadata-token")));
        }
    }

    [ConformanceFact(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore)]
    public async Task AwsProgrammaticCredentials_LibraryMatchesNodeSupplier()
    {
        ConformanceTools.Require(ConformanceTool.NodeAuthLibrary, ConformanceTool.Botocore);
        var instance = peers.Recorder.InstanceCredentials;
        var credentials = new AwsCredentials(instance.AccessKeyId, instance.SecretAccessKey, instance.Token, DateTimeOffset.MaxValue);

        var subjectSource = new AwsSubjectTokenSource(
            new StaticAwsCredentials(credentials),
            new AwsSubjectTokenSourceOptions { Audience = GooglePeers.Audience, Region = "eu-west-1" },
            context: new CredentialContext { Environment = ScopedEnvironment.Empty });
        var ours = await RunLibraryAsync("ours-aws-static", subjectSource, impersonate: true, [ReadOnlyStorage]);
        var node = await RunNodeAsync(
            "node-aws-supplier-diff",
            peers.AwsConfig("node-aws-supplier-diff"),
            [ReadOnlyStorage],
            new JsonObject { ["region"] = "eu-west-1", ["accessKeyId"] = instance.AccessKeyId, ["secretAccessKey"] = instance.SecretAccessKey, ["token"] = instance.Token });

        AssertSameStsFields(ours, node, [.. CommonStsFields, "scope"]);
        AssertSameAwsSubject(ours, node);
        await AssertBotocoreVerifiesAsync(ours);
        AssertSameImpersonationBody(ours, node);
    }

    /// <summary>
    /// Same generateAccessToken body as Node's. One difference is tolerated: without token_lifetime_seconds Google's
    /// clients send "lifetime": "3600s" while the library omits the field; IAM Credentials' default lifetime is
    /// 3600 s, so both ask for the same token.
    /// </summary>
    private static void AssertSameImpersonationBody(ExchangeRequests ours, ExchangeRequests node)
    {
        var body = ours.ImpersonationBody.DeepClone().AsObject();
        if (!body.ContainsKey("lifetime"))
        {
            body["lifetime"] = "3600s";
        }

        Assert.True(JsonNode.DeepEquals(node.ImpersonationBody, body), $"ours {ours.Impersonation!.Body}\nnode {node.Impersonation!.Body}");
    }

    private static void AssertSameStsFields(ExchangeRequests ours, ExchangeRequests theirs, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            Assert.True(theirs.StsForm.ContainsKey(field), $"{theirs.Client} sent no {field}");
            Assert.True(ours.StsForm.ContainsKey(field), $"the library sent no {field} ({theirs.Client} did)");
            Assert.True(theirs.StsForm[field] == ours.StsForm[field], $"{field}: library '{ours.StsForm[field]}' vs {theirs.Client} '{theirs.StsForm[field]}'");
        }

        Assert.Equal("POST", ours.Sts.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", ours.Sts.Header("content-type"));
        Assert.Null(ours.Sts.Header("authorization"));
    }

    /// <summary>
    /// The aws4_request subject tokens differ only where the signature's inputs must differ (date, signature) and in
    /// two deliberate ways: header names are emitted lowercase except <c>Authorization</c> in one fixed order (Google
    /// STS accepts any order and casing), and the library also signs <c>x-goog-cloud-target-resource</c> (as Google's
    /// .NET, Go and Java libraries do) while Node and Python add it unsigned after signing. Signing it binds the token
    /// to one provider; AWS STS accepts the extra signed header when Google replays the request.
    /// </summary>
    private void AssertSameAwsSubject(ExchangeRequests ours, ExchangeRequests theirs)
    {
        var a = ours.AwsSubject;
        var b = theirs.AwsSubject;
        output.WriteLine($"ours   {a.ToJsonString()}\n{theirs.Client} {b.ToJsonString()}");
        Assert.Equal((string?)b["url"], (string?)a["url"]);
        Assert.Equal((string?)b["method"], (string?)a["method"]);
        var ourHeaders = Headers(a);
        var theirHeaders = Headers(b);
        Assert.Equal(theirHeaders.Keys.Order(), ourHeaders.Keys.Order());
        foreach (var name in new[] { "host", "x-amz-security-token", "x-goog-cloud-target-resource" })
        {
            Assert.Equal(theirHeaders[name], ourHeaders[name]);
        }

        var ourAuthorization = ParseAuthorization(ourHeaders["authorization"]);
        var theirAuthorization = ParseAuthorization(theirHeaders["authorization"]);
        Assert.Equal(theirAuthorization.Scope, ourAuthorization.Scope);
        Assert.Equal("host;x-amz-date;x-amz-security-token", theirAuthorization.SignedHeaders);
        Assert.Equal("host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource", ourAuthorization.SignedHeaders);
    }

    private async Task AssertBotocoreVerifiesAsync(ExchangeRequests requests)
    {
        var subject = requests.AwsSubject;
        var credentials = peers.Recorder.InstanceCredentials;
        var headers = subject["headers"]!.AsArray().Select(h => new KeyValuePair<string, string>((string)h!["key"]!, (string)h["value"]!));

        var verdict = await BotocoreSigV4.VerifyAsync("POST", (string)subject["url"]!, headers, string.Empty, credentials.AccessKeyId, credentials.SecretAccessKey, credentials.Token);

        Assert.True(verdict.Match, $"botocore does not reproduce the library's signature.\n{verdict.CanonicalRequest}");
    }

    private static Dictionary<string, string> Headers(JsonObject subject) =>
        subject["headers"]!.AsArray().ToDictionary(h => ((string)h!["key"]!).ToLowerInvariant(), h => (string)h!["value"]!);

    private static (string Scope, string SignedHeaders) ParseAuthorization(string value)
    {
        string Part(string name)
        {
            var start = value.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
            var end = value.IndexOf(',', start);
            return end < 0 ? value[start..] : value[start..end];
        }

        var credential = Part("Credential");
        return (credential[(credential.IndexOf('/', StringComparison.Ordinal) + 1)..], Part("SignedHeaders"));
    }

    private void LogHeaders(params ExchangeRequests[] all)
    {
        foreach (var requests in all)
        {
            output.WriteLine($"{requests.Client} STS headers: {string.Join("; ", requests.Sts.Headers.Where(h => h.Key is not ("host" or "content-length")).Select(h => h.Key + "=" + h.Value))}");
            output.WriteLine($"{requests.Client} STS body: {requests.Sts.Body}");
            output.WriteLine($"{requests.Client} IAM body: {requests.Impersonation?.Body}");
        }
    }

    private async Task<ExchangeRequests> RunLibraryAsync(string client, JsonObject config, string[] scopes)
    {
        var configuration = ExternalAccountConfiguration.Parse(config.ToJsonString(), client);
        using var credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
        {
            options.AllowNonStandardEndpoints = true; // loopback stand-ins instead of *.googleapis.com
            options.Scopes = [.. scopes];
        }, new CredentialContext { Environment = ScopedEnvironment.Empty });
        var token = await credential.GetAsync();
        Assert.Equal(config.ContainsKey("service_account_impersonation_url") ? GoogleEndpointRecorder.ServiceAccountToken : GoogleEndpointRecorder.FederatedToken, token.Token);
        return ExchangeRequests.Of(peers.Recorder, client);
    }

    private async Task<ExchangeRequests> RunLibraryAsync(string client, ISubjectTokenSource subjectSource, bool impersonate, string[] scopes)
    {
        var config = peers.FileSourcedConfig(client, impersonate);
        var options = new GoogleFederatedCredentialOptions
        {
            Audience = GooglePeers.Audience,
            SubjectTokenSource = subjectSource,
            TokenUrl = new Uri((string)config["token_url"]!),
            ServiceAccountImpersonationUrl = impersonate ? new Uri((string)config["service_account_impersonation_url"]!) : null,
            Scopes = [.. scopes],
            AllowNonStandardEndpoints = true,
        };
        using var credential = GoogleFederatedCredential.Create(options, new CredentialContext { Environment = ScopedEnvironment.Empty });
        await credential.GetAsync();
        return ExchangeRequests.Of(peers.Recorder, client);
    }

    /// <summary>
    /// The AWS pipeline an <c>aws1</c> configuration describes, composed from the library's public parts: IMDSv2
    /// credentials and region from the stand-in metadata service, signed into an aws4_request subject token.
    /// </summary>
    private async Task<ExchangeRequests> RunLibraryAwsAsync(string client, string[] scopes)
    {
        var config = peers.AwsConfig(client);
        var source = config["credential_source"]!;
        var imds = new Ec2InstanceMetadataCredentialSource(
            new Ec2InstanceMetadataCredentialSourceOptions
            {
                CredentialsUrl = new Uri((string)source["url"]!),
                RegionUrl = new Uri((string)source["region_url"]!),
                SessionTokenUrl = new Uri((string)source["imdsv2_session_token_url"]!),
            },
            new CredentialContext { Environment = ScopedEnvironment.Empty });
        var subjectSource = new AwsSubjectTokenSource(
            imds,
            new AwsSubjectTokenSourceOptions
            {
                Audience = GooglePeers.Audience,
                RegionResolver = imds.GetRegionAsync,
                RegionalCredentialVerificationUrl = (string)source["regional_cred_verification_url"]!,
            },
            context: new CredentialContext { Environment = ScopedEnvironment.Empty });
        return await RunLibraryAsync(client, subjectSource, impersonate: true, scopes);
    }

    private async Task<ExchangeRequests> RunNodeAsync(string client, JsonObject config, string[] scopes, JsonObject? awsSupplier = null)
    {
        var input = new JsonObject { ["config"] = config, ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]) };
        if (awsSupplier is not null)
        {
            input["awsSupplier"] = awsSupplier;
        }

        await NodeAuthLibrary.RunAsync(input);
        return ExchangeRequests.Of(peers.Recorder, client);
    }

    private async Task<ExchangeRequests> RunGcloudAsync(string client, JsonObject config)
    {
        using var gcloud = new Infrastructure.Gcloud();
        var path = peers.WriteConfig(client, config);
        (await gcloud.RunAsync(["auth", "login", $"--cred-file={path}"])).EnsureSuccess();
        (await gcloud.RunAsync(["auth", "print-access-token"])).EnsureSuccess();
        return ExchangeRequests.Of(peers.Recorder, client);
    }
}
