using CrossCloudAuth.Platform;
using System.Net;
using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Google;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using Xunit.Abstractions;
using EmulatorRequest = CrossCloudAuth.Testing.Hosting.RecordedRequest;

namespace CrossCloudAuth.Conformance.GoogleClients;

/// <summary>
/// gcloud, Google's Node.js library and the library complete the same federation at the project's verifying emulator
/// (which checks the OIDC token's signature, replays the aws4_request subject against its AWS STS, applies the
/// attribute mapping and the workloadIdentityUser binding). All three must succeed with the emulator's own
/// credential configuration; their STS and IAM Credentials requests are compared as in
/// <see cref="LibraryVersusGoogleClientsTests"/>.
/// </summary>
public sealed class GoogleClientsAgainstEmulatorTests(GoogleClientsAgainstEmulatorTests.Emulator emulator, ITestOutputHelper output)
    : IClassFixture<GoogleClientsAgainstEmulatorTests.Emulator>
{
    private const string ReadOnlyStorage = GoogleClientPeerTests.ReadOnlyStorage;

    [ConformanceFact(ConformanceTool.Gcloud, ConformanceTool.NodeAuthLibrary)]
    public async Task ProjectedTokenFile_AllThreeClientsFederateAtTheEmulator()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud, ConformanceTool.NodeAuthLibrary);
        var cloud = await emulator.GetAsync();
        var config = JsonNode.Parse(cloud.CreateCredentialConfiguration(emulator.OidcProvider, Emulator.ServiceAccount, emulator.TokenFile))!.AsObject();

        var (ours, node, gcloud) = await RunAllAsync(cloud, config);

        foreach (var (name, requests) in new[] { ("library", ours), ("node", node), ("gcloud", gcloud) })
        {
            var sts = Assert.Single(requests, r => r.Service == EmulatedService.GoogleSts);
            Assert.Equal(GoogleClientPeerTests.StsGrantType, sts.Form["grant_type"]);
            Assert.Equal(emulator.OidcProvider.Audience, sts.Form["audience"]);
            Assert.Equal("urn:ietf:params:oauth:token-type:jwt", sts.Form["subject_token_type"]);
            Assert.Equal(GoogleClientPeerTests.AccessTokenType, sts.Form["requested_token_type"]);
            Assert.True(requests.All(r => r.StatusCode == HttpStatusCode.OK), $"{name}: {string.Join(", ", requests)}");
        }

        Assert.Equal(Single(node, EmulatedService.GoogleSts).Form["scope"], Single(ours, EmulatedService.GoogleSts).Form["scope"]);
        Assert.Equal(Single(node, EmulatedService.GoogleSts).Form["subject_token"], Single(ours, EmulatedService.GoogleSts).Form["subject_token"]);
        Assert.Equal(
            JsonNode.Parse(Single(node, EmulatedService.IamCredentials).Body)!["scope"]!.ToJsonString(),
            JsonNode.Parse(Single(ours, EmulatedService.IamCredentials).Body)!["scope"]!.ToJsonString());
    }

    [ConformanceFact(ConformanceTool.Gcloud, ConformanceTool.NodeAuthLibrary)]
    public async Task AwsInstanceRole_AllThreeClientsFederateAtTheEmulator()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud, ConformanceTool.NodeAuthLibrary);
        var cloud = await emulator.GetAsync();
        var config = JsonNode.Parse(cloud.CreateCredentialConfiguration(emulator.AwsProvider, Emulator.ServiceAccount))!.AsObject();
        // The emulator's own configuration names its loopback AWS STS as regional_cred_verification_url. Node signs
        // it (with service "127", the host's first label, which the emulator accepts for loopback hosts), but gcloud's
        // google-auth refuses any URL that is not an AWS STS host ("Invalid AWS service URL"). The real URL that
        // gcloud writes is used for all three clients; the emulator verifies it locally, without any network call.
        config["credential_source"]!["regional_cred_verification_url"] = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
        var (ours, node, gcloud) = await RunAllAsync(cloud, config);

        foreach (var (name, requests) in new[] { ("library", ours), ("node", node), ("gcloud", gcloud) })
        {
            var sts = Single(requests, EmulatedService.GoogleSts);
            Assert.Equal(emulator.AwsProvider.Audience, sts.Form["audience"]);
            Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", sts.Form["subject_token_type"]);
            Assert.True(requests.All(r => r.StatusCode == HttpStatusCode.OK), $"{name}: {string.Join(", ", requests)}");
            Assert.Contains(requests, r => r.Service == EmulatedService.InstanceMetadata && r.Method == "PUT");
        }
    }

    private static EmulatorRequest Single(IReadOnlyList<EmulatorRequest> requests, EmulatedService service) =>
        Assert.Single(requests, r => r.Service == service);

    /// <summary>Runs the three clients one after another, each with its own slice of the emulator's request log.</summary>
    private async Task<(IReadOnlyList<EmulatorRequest> Ours, IReadOnlyList<EmulatorRequest> Node, IReadOnlyList<EmulatorRequest> Gcloud)> RunAllAsync(CloudEmulator cloud, JsonObject config)
    {
        cloud.Requests.Clear();
        var configuration = ExternalAccountConfiguration.Parse(config.ToJsonString(), "emulator");
        using (var credential = GoogleFederatedCredential.FromConfiguration(configuration, o =>
        {
            o.AllowNonStandardEndpoints = true;
            o.Scopes = [ReadOnlyStorage];
        }, new CredentialContext { Environment = ScopedEnvironment.Empty }))
        {
            Assert.False(string.IsNullOrEmpty((await credential.GetAsync()).Token));
        }

        var ours = Snapshot(cloud, "library");

        var input = new JsonObject { ["config"] = config.DeepClone(), ["scopes"] = new JsonArray(ReadOnlyStorage) };
        Assert.False(string.IsNullOrEmpty((string?)(await NodeAuthLibrary.RunAsync(input))["accessToken"]));
        var node = Snapshot(cloud, "node");

        using var gcloud = new Infrastructure.Gcloud();
        var path = Path.Combine(gcloud.ConfigDirectory, "emulator.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        (await gcloud.RunAsync(["auth", "login", $"--cred-file={path}"])).EnsureSuccess();
        var printed = (await gcloud.RunAsync(["auth", "print-access-token"])).EnsureSuccess();
        Assert.False(string.IsNullOrWhiteSpace(printed.StandardOutput));
        var fromGcloud = Snapshot(cloud, "gcloud");
        return (ours, node, fromGcloud);
    }

    private List<EmulatorRequest> Snapshot(CloudEmulator cloud, string client)
    {
        var requests = cloud.Requests.ToList();
        cloud.Requests.Clear();
        output.WriteLine($"{client}: {string.Join(", ", requests)}");
        return requests;
    }

    /// <summary>The emulator on the real clock with seed 000/003's Google side, started on first use.</summary>
    public sealed class Emulator : IAsyncLifetime
    {
        public const string ServiceAccount = "reader@conformance-project.iam.gserviceaccount.com";
        private const string Account = "111122223333";

        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly TemporaryDirectory _folder = new("emulator-google");
        private CloudEmulator? _cloud;

        public WorkloadIdentityProviderBuilder OidcProvider { get; private set; } = null!;

        public WorkloadIdentityProviderBuilder AwsProvider { get; private set; } = null!;

        public string TokenFile => _folder.File("token");

        public async Task<CloudEmulator> GetAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_cloud is null)
                {
                    Testing.Oidc.OidcIssuer? eks = null;
                    _cloud = await CloudEmulator.StartAsync(b =>
                    {
                        eks = b.AddOidcIssuer("eks");
                        b.AddAwsAccount(Account).AddRole("node-role", t => t.AllowPrincipal("ec2.amazonaws.com"));
                        b.ConfigureInstanceMetadata(m => m.UseRole(Account, "node-role").UseRegion("us-east-2", "us-east-2a"));
                        var pool = b.AddWorkloadIdentityPool("123456789012", "conformance");
                        OidcProvider = pool.AddOidcProvider("eks-oidc", eks).AllowAudiences("sts.amazonaws.com");
                        AwsProvider = pool.AddAwsProvider("aws", Account);
                        b.AddServiceAccount(ServiceAccount)
                            .GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci:runner"))
                            .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{Account}:assumed-role/node-role"));
                    });
                    await eks!.WriteServiceAccountTokenFileAsync(TokenFile, "ci", "runner");
                }

                return _cloud;
            }
            finally
            {
                _gate.Release();
            }
        }

        Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

        async Task IAsyncLifetime.DisposeAsync()
        {
            if (_cloud is not null)
            {
                await _cloud.DisposeAsync();
            }

            _folder.Dispose();
            _gate.Dispose();
        }
    }
}
