using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.GoogleClients;

/// <summary>
/// The Google endpoints every client under comparison talks to, and the credential configurations that point each
/// client at its own path prefix there (so their requests can be told apart).
/// </summary>
public sealed class GooglePeers : IAsyncLifetime
{
    public const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/conformance-pool/providers/conformance-provider";

    /// <summary>A syntactically valid JWT (the stand-in endpoints do not verify it; the emulator does).</summary>
    public const string SubjectJwt =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNvbmZvcm1hbmNlIn0.eyJpc3MiOiJodHRwczovL29pZGMuZXhhbXBsZS50ZXN0Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmRlZmF1bHQ6YXBwIiwiYXVkIjoic3RzLmFtYXpvbmF3cy5jb20ifQ.c2lnbmF0dXJl";

    private readonly TemporaryDirectory _folder = new("google-peers");

    internal GoogleEndpointRecorder Recorder { get; private set; } = null!;

    public string TokenFile => _folder.File("token");

    public async Task InitializeAsync()
    {
        Recorder = await GoogleEndpointRecorder.StartAsync();
        await File.WriteAllTextAsync(TokenFile, SubjectJwt);
    }

    /// <summary>An <c>external_account</c> configuration with a file source, as gcloud writes it, aimed at <paramref name="client"/>'s prefix.</summary>
    public JsonObject FileSourcedConfig(string client, bool impersonate = true, int? lifetimeSeconds = null)
    {
        var config = Base(client, "urn:ietf:params:oauth:token-type:jwt");
        config["credential_source"] = new JsonObject { ["file"] = TokenFile };
        AddImpersonation(config, client, impersonate, lifetimeSeconds);
        return config;
    }

    /// <summary>An <c>aws1</c> configuration (IMDSv2) whose metadata URLs point at the stand-in instance metadata.</summary>
    public JsonObject AwsConfig(string client, bool impersonate = true)
    {
        var root = Recorder.ClientBase(client).ToString().TrimEnd('/');
        var config = Base(client, "urn:ietf:params:aws:token-type:aws4_request");
        config["credential_source"] = new JsonObject
        {
            ["environment_id"] = "aws1",
            ["region_url"] = root + "/latest/meta-data/placement/availability-zone",
            ["url"] = root + "/latest/meta-data/iam/security-credentials",
            ["regional_cred_verification_url"] = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
            ["imdsv2_session_token_url"] = root + "/latest/api/token",
        };
        AddImpersonation(config, client, impersonate, null);
        return config;
    }

    public string WriteConfig(string client, JsonObject config)
    {
        var path = _folder.File(client + ".json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private JsonObject Base(string client, string subjectTokenType) => new()
    {
        ["universe_domain"] = "googleapis.com",
        ["type"] = "external_account",
        ["audience"] = Audience,
        ["subject_token_type"] = subjectTokenType,
        ["token_url"] = new Uri(Recorder.ClientBase(client), "v1/token").ToString(),
    };

    private void AddImpersonation(JsonObject config, string client, bool impersonate, int? lifetimeSeconds)
    {
        if (impersonate)
        {
            config["service_account_impersonation_url"] = Recorder.ImpersonationUrl(client).ToString();
            if (lifetimeSeconds is { } lifetime)
            {
                config["service_account_impersonation"] = new JsonObject { ["token_lifetime_seconds"] = lifetime };
            }
        }
        else
        {
            config["token_info_url"] = new Uri(Recorder.ClientBase(client), "v1/introspect").ToString();
        }
    }

    public async Task DisposeAsync()
    {
        await Recorder.DisposeAsync();
        _folder.Dispose();
    }
}
