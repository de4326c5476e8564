using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>
/// Loopback stand-ins for Google STS (<c>POST /v1/token</c>), IAM Credentials (<c>generateAccessToken</c>) and EC2
/// instance metadata (IMDSv2) that answer like the real services and record every request, so that requests from
/// gcloud, google-auth-library and our library can be compared field by field. Each client is told apart by the
/// first path segment of its URLs (<c>/{client}/v1/token</c>) or by the service account it impersonates, so clients
/// can run concurrently.
/// </summary>
internal sealed class GoogleEndpointRecorder : IAsyncDisposable
{
    public const string FederatedToken = "ya29.federated-conformance";
    public const string ServiceAccountToken = "ya29.impersonated-conformance";
    public const string ImdsSessionToken = "imds-session-conformance";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private GoogleEndpointRecorder(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The instance-role credentials the IMDS stand-in hands out.</summary>
    public (string AccessKeyId, string SecretAccessKey, string Token, string Region) InstanceCredentials { get; } =
        ("ASIACONFORMANCEEXAMPLE", "conformance/secret/key/0123456789abcdefEXAMPLE", "conformance-session-token", "us-east-1");

    public const string InstanceRole = "conformance-instance-role";

    private const string ServiceAccountsPath = "/v1/projects/-/serviceAccounts/";

    /// <summary>The service account a client impersonates: its local part names the client.</summary>
    public static string ServiceAccountFor(string client) => client + "@conformance-project.iam.gserviceaccount.com";

    /// <summary>The generateAccessToken URL for <paramref name="client"/>.</summary>
    public Uri ImpersonationUrl(string client) => new(BaseAddress, $"v1/projects/-/serviceAccounts/{ServiceAccountFor(client)}:generateAccessToken");

    public IReadOnlyList<RecordedRequest> Requests(string client) =>
        _requests.Where(r => r.Client == client).ToList();

    public Uri ClientBase(string client) => new(BaseAddress, client + "/");

    public static async Task<GoogleEndpointRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var recorder = new GoogleEndpointRecorder(app);
        app.Run(recorder.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        recorder.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return recorder;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        string client, rest;
        var path = request.Path.Value!;
        if (path.StartsWith(ServiceAccountsPath, StringComparison.Ordinal))
        {
            // IAM Credentials URLs stay at the root (the library, unlike Google's clients, only accepts them at
            // /v1/projects/-/serviceAccounts/...): the client is the service account's local part instead.
            rest = path;
            client = Uri.UnescapeDataString(path[ServiceAccountsPath.Length..]).Split('@')[0];
        }
        else
        {
            var segments = path.Split('/', 3, StringSplitOptions.RemoveEmptyEntries);
            client = segments.Length > 0 ? segments[0] : string.Empty;
            rest = "/" + (segments.Length > 1 ? string.Join('/', segments.Skip(1)) : string.Empty);
        }

        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(client, request.Method, rest + request.QueryString, headers, body));

        var response = context.Response;
        switch (request.Method, rest)
        {
            case ("POST", "/v1/token"):
                await response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["access_token"] = FederatedToken,
                    ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                    ["token_type"] = "Bearer",
                    ["expires_in"] = 3600,
                });
                return;
            case ("POST", _) when rest.EndsWith(":generateAccessToken", StringComparison.Ordinal):
                await response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["accessToken"] = ServiceAccountToken,
                    // Whole seconds: gcloud's google-auth (2.39) parses expireTime with "%Y-%m-%dT%H:%M:%SZ" and rejects
                    // fractional seconds ("No access token or invalid expiration in response").
                    ["expireTime"] = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                });
                return;
            case ("PUT", "/latest/api/token"):
                await response.WriteAsync(ImdsSessionToken);
                return;
            case ("GET", "/latest/meta-data/placement/availability-zone"):
                await response.WriteAsync(InstanceCredentials.Region + "a");
                return;
            case ("GET", "/latest/meta-data/iam/security-credentials"):
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                await response.WriteAsync(InstanceRole);
                return;
            case ("GET", "/latest/meta-data/iam/security-credentials/" + InstanceRole):
                await response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["Code"] = "Success",
                    ["Type"] = "AWS-HMAC",
                    ["AccessKeyId"] = InstanceCredentials.AccessKeyId,
                    ["SecretAccessKey"] = InstanceCredentials.SecretAccessKey,
                    ["Token"] = InstanceCredentials.Token,
                    ["Expiration"] = DateTimeOffset.UtcNow.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    ["LastUpdated"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                });
                return;
            default:
                response.StatusCode = 404;
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
