using CrossCloudAuth.Platform;
using System.Text.Json.Nodes;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Samples.Quickstart;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Faults;
using CrossCloudAuth.Testing.Oidc;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.EndToEndTests.Sweep;

/// <summary>
/// The secret sweep: each flow F1–F5, succeeding and failing, runs with every log, metric and span listener of the
/// library attached at its most verbose; then every secret the run produced (read back from the emulator) and every
/// planted one is looked for in everything captured: log messages, structured state and scopes, measurement tags,
/// span names, tags, events and status, exceptions with their inner exceptions and data, and <c>ToString()</c> of
/// the objects the flow produced.
/// </summary>
public sealed class SecretSweepTests
{
    private const string StorageReadOnly = "https://www.googleapis.com/auth/devstorage.read_only";

    /// <summary>A scenario: the world's knobs, whether the flow must fail, and what it runs.</summary>
    private sealed record Scenario(WorldOptions? Options, bool Fails, Func<EmulatedWorld, SweepCapture, SweepSecrets, Task<Exception?>> RunAsync);

    private static readonly Dictionary<string, Scenario> Scenarios = new()
    {
        ["F1"] = new(null, false, (w, c, _) => FlowAsync(w, c, Flows.F1Async)),
        ["F2"] = new(null, false, (w, c, _) => FlowAsync(w, c, Flows.F2Async)),
        ["F3"] = new(null, false, (w, c, _) => FlowAsync(w, c, Flows.F3Async)),
        ["F4"] = new(null, false, (w, c, _) => FlowAsync(w, c, Flows.F4Async)),
        ["F5"] = new(null, false, (w, c, _) => FlowAsync(w, c, Flows.F5Async)),
        ["F1 wrong audience"] = new(new WorldOptions { OidcAllowedAudience = "https://iam.googleapis.com/some/other/provider" }, true, (w, c, _) => FlowAsync(w, c, Flows.F1Async)),
        ["F1 condition false"] = new(new WorldOptions { OidcCondition = "attribute.namespace == 'production'" }, true, (w, c, _) => FlowAsync(w, c, Flows.F1Async)),
        ["F1 missing binding"] = new(new WorldOptions { BindF1 = false }, true, (w, c, _) => FlowAsync(w, c, Flows.F1Async)),
        ["F1 expired token"] = new(null, true, async (w, c, _) =>
        {
            await w.WriteEksPodTokenAsync(w.Issuer.MintServiceAccountToken("ci-namespace", "ci-serviceaccount", lifetime: TimeSpan.FromHours(1), issuedAt: DateTimeOffset.UtcNow.AddHours(-3)));
            return await FlowAsync(w, c, Flows.F1Async);
        }),
        ["F1 tampered token"] = new(null, true, async (w, c, _) =>
        {
            await w.WriteEksPodTokenAsync(OidcIssuer.Tamper(await File.ReadAllTextAsync(w.EksPodTokenFile)));
            return await FlowAsync(w, c, Flows.F1Async);
        }),
        ["F1 kubelet clock an hour ahead"] = new(null, true, async (w, c, _) =>
        {
            await w.WriteEksPodTokenAsync(w.Issuer.MintServiceAccountToken("ci-namespace", "ci-serviceaccount", issuedAt: DateTimeOffset.UtcNow.AddHours(1)));
            return await FlowAsync(w, c, Flows.F1Async);
        }),
        ["F1 IAM Credentials answers a malformed body mid-way"] = new(null, true, (w, c, _) =>
        {
            w.Cloud.Faults.Add(EmulatedService.IamCredentials, Fault.MalformedBody());
            return FlowAsync(w, c, Flows.F1Async);
        }),
        ["F1 Google STS echoes the subject token in its error"] = new(null, true, async (w, c, _) =>
        {
            string token = await File.ReadAllTextAsync(w.EksPodTokenFile);
            w.Cloud.Faults.Add(EmulatedService.GoogleSts, Fault.Status(System.Net.HttpStatusCode.BadRequest, body: $"{{\"error\":\"invalid_request\",\"error_description\":\"subject_token {token} is not valid\"}}"));
            return await FlowAsync(w, c, Flows.F1Async);
        }),
        ["F4 AWS STS echoes the web identity token in its error"] = new(null, true, async (w, c, _) =>
        {
            string token = await File.ReadAllTextAsync(w.InjectedPodTokenFile);
            w.Cloud.Faults.Add(EmulatedService.AwsSts, Fault.Status(System.Net.HttpStatusCode.BadRequest, body: $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Token {token} is invalid</Message></Error><RequestId>1</RequestId></ErrorResponse>"));
            return await FlowAsync(w, c, Flows.F4Async);
        }),
        ["F1 client_secret in the configuration"] = new(null, false, ClientSecretAsync),
        ["F1 credential_source.url with a password"] = new(null, true, UrlPasswordAsync),
        ["F2 missing binding"] = new(new WorldOptions { BindF2 = false }, true, (w, c, _) => FlowAsync(w, c, Flows.F2Async)),
        ["F2 Google STS truncates its answer mid-way"] = new(null, true, (w, c, _) =>
        {
            w.Cloud.Faults.Add(EmulatedService.GoogleSts, Fault.TruncatedBody());
            return FlowAsync(w, c, Flows.F2Async);
        }),
        ["F3 untrusted role"] = new(new WorldOptions { TargetRoleTrusts = "arn:aws:iam::111111111111:role/someone-else" }, true, (w, c, _) => FlowAsync(w, c, Flows.F3Async)),
        ["F4 wrong audience"] = new(null, true, async (w, c, _) =>
        {
            await w.WriteInjectedPodTokenAsync(w.Issuer.MintServiceAccountToken("default", "my-s3-reader-ksa", audience: "vault"));
            return await FlowAsync(w, c, Flows.F4Async);
        }),
        ["F4 tampered token"] = new(null, true, async (w, c, _) =>
        {
            await w.WriteInjectedPodTokenAsync(OidcIssuer.Tamper(await File.ReadAllTextAsync(w.InjectedPodTokenFile)));
            return await FlowAsync(w, c, Flows.F4Async);
        }),
        ["F4 untrusted service account"] = new(new WorldOptions { PodRoleSubject = "system:serviceaccount:default:someone-else" }, true, (w, c, _) => FlowAsync(w, c, Flows.F4Async)),
        ["F5 missing binding"] = new(new WorldOptions { BindF5 = false }, true, (w, c, _) => FlowAsync(w, c, Flows.F5Async)),
        ["F5 condition false"] = new(new WorldOptions { TargetCondition = "attribute.aws_role.endsWith('/release-role')" }, true, (w, c, _) => FlowAsync(w, c, Flows.F5Async)),
        ["F5 tampered signature"] = new(null, true, (w, c, _) => F5ByHandAsync(w, c, signerClock: null, tamper: true)),
        ["F5 signer clock twenty minutes behind"] = new(null, true, (w, c, _) => F5ByHandAsync(w, c, new SkewedTimeProvider(TimeSpan.FromMinutes(-20)), tamper: false)),
        ["objects of every flow"] = new(null, false, ObjectsAsync),
    };

    public static TheoryData<string> ScenarioNames => [.. Scenarios.Keys];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Sweep_Scenario_NoSecretInAnyLogTagSpanExceptionOrToString(string name)
    {
        Scenario scenario = Scenarios[name];
        using var capture = new SweepCapture();
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(scenario.Options);
        var secrets = new SweepSecrets();

        Exception? error = await scenario.RunAsync(world, capture, secrets);
        capture.CollectObservables();
        foreach (var request in world.Cloud.Requests)
        {
            capture.Add("emulator request log", request.ToString());
        }

        secrets.AddFromEmulator(world.Cloud);
        secrets.Add("projected token (CI pod)", ReadIfPresent(world.EksPodTokenFile));
        secrets.Add("projected token (injected pod)", ReadIfPresent(world.InjectedPodTokenFile));

        if (scenario.Fails)
        {
            Assert.IsAssignableFrom<CrossCloudAuthException>(error);
        }
        else
        {
            Assert.True(error is null, $"{name} should succeed: {error?.GetType().Name} {(error as CrossCloudAuthException)?.HopName}");
        }

        // The sweep saw the run: listeners were live, and the emulator handed out secrets to look for.
        Assert.True(secrets.Count > 0, "no secret was read back from the run");
        if (world.Cloud.Requests.Count > 0)
        {
            Assert.Contains(capture.Entries, e => e.Where.StartsWith("log ", StringComparison.Ordinal));
        }

        if (!scenario.Fails)
        {
            Assert.Contains(capture.Entries, e => e.Where.StartsWith("span", StringComparison.Ordinal));
            Assert.Contains(capture.Entries, e => e.Where == "metric");
            Assert.Contains(secrets.Kinds, k => k.Contains("response body", StringComparison.Ordinal));
        }

        List<string> leaks = secrets.FindLeaks(capture.Entries);
        Assert.True(leaks.Count == 0, $"{leaks.Count} leak(s):\n" + string.Join('\n', leaks.Distinct().Take(20)));
    }

    [Fact]
    public void FindLeaks_PlantedSecretInALogLine_Found()
    {
        using var capture = new SweepCapture();
        var secrets = new SweepSecrets();
        const string key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY";
        secrets.Add("planted secret key", key, piecewise: true);
        ILogger logger = ((ILoggerFactory)capture).CreateLogger("CrossCloudAuth.Sweep");

        Refreshed(logger, "aws-sts:AssumeRole", null);
        Assert.Empty(secrets.FindLeaks(capture.Entries));
        Refreshed(logger, key, null);
        using (Scope(logger, key[10..28]))
        {
        }

        List<string> leaks = secrets.FindLeaks(capture.Entries);

        Assert.Contains(leaks, l => l.StartsWith("planted secret key in log ", StringComparison.Ordinal) && !l.Contains(key, StringComparison.Ordinal));
        Assert.Contains(leaks, l => l.Contains("piece) in log-scope", StringComparison.Ordinal));
    }

    [Fact]
    public void FindLeaks_JwtSignatureAloneInAnExceptionOrATag_Found()
    {
        using var capture = new SweepCapture();
        var secrets = new SweepSecrets();
        const string signature = "c2lnbmF0dXJlLW9mLWEtcGxhbnRlZC1qd3QtdGhhdC1tdXN0LWJlLWZvdW5k";
        secrets.Add("planted JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzd2VlcCJ9." + signature);

        capture.AddException(new InvalidOperationException("outer", new FormatException("bad " + signature[5..30])));
        capture.Add("span", "CrossCloudAuth.Refresh | crosscloudauth.hop=" + signature);

        List<string> leaks = secrets.FindLeaks(capture.Entries);

        Assert.Contains(leaks, l => l.StartsWith("planted JWT (JWT signature) (a 16-character piece) in exception", StringComparison.Ordinal));
        Assert.Contains(leaks, l => l.StartsWith("planted JWT (JWT signature) in span", StringComparison.Ordinal));
    }

    private static readonly Action<ILogger, string, Exception?> Refreshed = LoggerMessage.Define<string>(LogLevel.Information, 1, "Refreshed {HopName}.");

    private static readonly Func<ILogger, string, IDisposable?> Scope = LoggerMessage.DefineScope<string>("scope {Piece}");

    private static async Task<Exception?> FlowAsync(EmulatedWorld world, SweepCapture capture, Func<FlowContext, Task<IReadOnlyList<string>?>> flow)
    {
        using var context = new FlowContext(world.Settings, TestContext.Timeout) { LoggerFactory = capture };
        Exception? error = await capture.CatchAsync(async () =>
        {
            IReadOnlyList<string>? lines = await flow(context);
            Assert.NotNull(lines);
            foreach (string line in lines!)
            {
                capture.Add("flow output", line);
            }
        });
        foreach (HopRecord hop in context.Trace.Drain())
        {
            capture.AddObject(hop);
        }

        return error;
    }

    private static async Task<Exception?> F5ByHandAsync(EmulatedWorld world, SweepCapture capture, TimeProvider? signerClock, bool tamper)
    {
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFileAsync(world.F5CredentialFile, world.EksPod);
        CredentialContext context = new() { Environment = world.EksPod, LoggerFactory = capture };
        using var chain = new RefreshAheadCache<AwsCredentials>(
            new AwsProfileCredentialSource(new AwsProfileCredentialSourceOptions { ProfileName = "target-env" }, context),
            context: context);
        using GoogleFederatedCredential credential = await AwsSubjectCredentials.BuildAsync(configuration, chain, world.EksPod, signerClock, tamper, capture);
        Exception? error = await capture.CatchAsync(async () => await credential.GetAsync());
        capture.AddObject(credential.GetStatus());
        capture.AddObject(chain.GetStatus());
        capture.AddObject(configuration);
        return error;
    }

    private static async Task<Exception?> ClientSecretAsync(EmulatedWorld world, SweepCapture capture, SweepSecrets secrets)
    {
        string secret = "sweep-client-secret-" + Guid.NewGuid().ToString("N");
        secrets.Add("planted client_secret", secret, piecewise: true);
        JsonObject json = JsonNode.Parse(await File.ReadAllTextAsync(world.EksPod.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS")!))!.AsObject();
        json["client_id"] = "sweep-client";
        json["client_secret"] = secret;
        string path = Path.Combine(world.Root, "client-secret-config.json");
        await File.WriteAllTextAsync(path, json.ToJsonString());

        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFileAsync(path, world.EksPod);
        capture.AddObject(configuration);
        GoogleFederatedCredentialOptions? seen = null;
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, o =>
        {
            o.Scopes = [StorageReadOnly];
            o.AllowNonStandardEndpoints = true;
            seen = o;
        }, new CredentialContext { Environment = world.EksPod, LoggerFactory = capture });
        capture.AddObject(seen);
        capture.AddObject(credential);
        Exception? error = await capture.CatchAsync(async () => capture.AddObject(await credential.GetAsync()));
        capture.AddObject(credential.GetStatus());
        return error;
    }

    private static async Task<Exception?> UrlPasswordAsync(EmulatedWorld world, SweepCapture capture, SweepSecrets secrets)
    {
        string password = "sweep-url-password-" + Guid.NewGuid().ToString("N");
        secrets.Add("planted URL password", password, piecewise: true);
        JsonObject json = JsonNode.Parse(await File.ReadAllTextAsync(world.EksPod.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS")!))!.AsObject();
        json["credential_source"] = new JsonObject
        {
            ["url"] = $"http://sweep-user:{password}@127.0.0.1:{world.Cloud.GoogleStsTokenUri.Port}/subject-token",
            ["headers"] = new JsonObject { ["Metadata-Flavor"] = "Google" },
        };
        string path = Path.Combine(world.Root, "url-password-config.json");
        await File.WriteAllTextAsync(path, json.ToJsonString());
        var environment = new SandboxEnvironment("url-pod", new Dictionary<string, string> { ["GOOGLE_APPLICATION_CREDENTIALS"] = path }, null);

        // Through both doors an application uses: loading the file, and building the credential from the environment.
        Exception? loading = await capture.CatchAsync(() => ExternalAccountConfiguration.LoadFileAsync(path, environment));
        Exception? building = await capture.CatchAsync(async () =>
        {
            using GoogleFederatedCredential credential = await GoogleFederatedCredential.FromEnvironmentAsync(o =>
            {
                o.AllowNonStandardEndpoints = true;
            }, new CredentialContext { Environment = environment, LoggerFactory = capture });
            capture.AddObject(await credential.GetAsync());
        });
        Assert.IsType<CredentialConfigurationException>(loading);
        Assert.IsType<CredentialConfigurationException>(building);

        return building;
    }

    private static async Task<Exception?> ObjectsAsync(EmulatedWorld world, SweepCapture capture, SweepSecrets secrets)
    {
        // Google: the configuration, the credential, its access and ID tokens, its status.
        ExternalAccountConfiguration f1 = await ExternalAccountConfiguration.LoadFromEnvironmentAsync(world.EksPod);
        capture.AddObject(f1);
        capture.AddObject(f1.CredentialSource);
        using GoogleFederatedCredential google = await GoogleFederatedCredential.FromEnvironmentAsync(o =>
        {
            o.Scopes = [StorageReadOnly];
            o.AllowNonStandardEndpoints = true;
        }, new CredentialContext { Environment = world.EksPod, LoggerFactory = capture });
        capture.AddObject(google);
        capture.AddObject(await google.GetAsync());
        capture.AddObject(await google.GetIdTokenAsync("https://sweep.example.com"));
        capture.AddObject(google.GetStatus());

        // F2's aws1 configuration and its IMDSv2 credentials.
        capture.AddObject(await ExternalAccountConfiguration.LoadFromEnvironmentAsync(world.Ec2Instance));
        var instance = new Ec2InstanceMetadataCredentialSource(new Ec2InstanceMetadataCredentialSourceOptions { Endpoint = world.Settings.InstanceMetadataEndpoint }, new CredentialContext { Environment = world.Ec2Instance, LoggerFactory = capture });
        capture.AddObject(instance);
        capture.AddObject(await instance.GetAsync());

        // AWS: the role chain, its credentials, the AWS SDK adapter, the EKS token, their statuses.
        var options = new AwsProfileCredentialSourceOptions { ProfileName = "target-env" };
        capture.AddObject(options);
        CredentialContext pod = new() { Environment = world.EksPod, LoggerFactory = capture };
        using var chain = new RefreshAheadCache<AwsCredentials>(new AwsProfileCredentialSource(options, pod), context: pod);
        capture.AddObject(chain);
        capture.AddObject(await chain.GetAsync());
        capture.AddObject(chain.GetStatus());
        using var sdk = new CachedAwsCredentials(chain);
        capture.AddObject(sdk);
        capture.AddObject(sdk.GetCredentials().AccessKey);
        using var eks = new RefreshAheadCache<AuthToken>(
            new EksTokenSource(chain, new EksTokenSourceOptions { ClusterName = World.TargetCluster, Region = "us-east-1", StsEndpoint = world.Settings.AwsStsEndpoint }, pod),
            context: pod);
        AuthToken eksToken = await eks.GetAsync();
        secrets.Add("EKS bearer token", eksToken.Token, piecewise: true);
        capture.AddObject(eksToken);
        capture.AddObject(eks.GetStatus());

        // F4: web identity credentials.
        CredentialContext injected = new() { Environment = world.InjectedPod, LoggerFactory = capture };
        using var webIdentity = new RefreshAheadCache<AwsCredentials>(new WebIdentityCredentialSource(context: injected), context: injected);
        capture.AddObject(await webIdentity.GetAsync());
        capture.AddObject(webIdentity.GetStatus());
        return null;
    }

    private static string? ReadIfPresent(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
}
