using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Google.IamCredentials;

/// <summary>
/// IAM Credentials <c>generateAccessToken</c> and <c>generateIdToken</c>: checks the caller's bearer token and
/// scope, then that the caller holds <c>roles/iam.workloadIdentityUser</c> (or token creator) on the first
/// service account of the delegation chain and each account on the next; caps lifetimes at 1 hour unless the
/// account allows 12. Also serves Google's ID-token signing keys at <c>/oauth2/v3/certs</c>.
/// </summary>
internal sealed class IamCredentialsEndpoint(IReadOnlyDictionary<string, ServiceAccountBuilder> accounts, GoogleTokenStore tokens, SigningKey googleKey) : IEmulatedEndpoint
{
    public const string GoogleIssuer = "https://accounts.google.com";
    private const string AccessTokenPermission = "iam.serviceAccounts.getAccessToken";
    private const string IdTokenPermission = "iam.serviceAccounts.getOpenIdToken";
    private const string ServiceAccountsPrefix = "/v1/projects/";
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan ExtendedLifetime = TimeSpan.FromHours(12);
    private readonly BearerAuthenticator _auth = new(tokens, legacyErrors: false, GoogleToken.CloudPlatformScope, "https://www.googleapis.com/auth/iam");

    public EmulatedService Service => EmulatedService.IamCredentials;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));

    private EmulatorResponse Handle(EmulatorRequest request)
    {
        if (request.Method == "GET" && request.Path == "/oauth2/v3/certs")
        {
            return EmulatorResponse.Json(new JsonObject { ["keys"] = new JsonArray(googleKey.ToJwk()) });
        }

        // /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken
        int colon = request.Path.LastIndexOf(':');
        int accountsAt = request.Path.IndexOf("/serviceAccounts/", StringComparison.Ordinal);
        if (!request.Path.StartsWith(ServiceAccountsPrefix, StringComparison.Ordinal) || colon < 0 || accountsAt < 0 || colon < accountsAt)
        {
            return GoogleErrors.Api(HttpStatusCode.NotFound, "NOT_FOUND", "The requested URL was not found on this server.");
        }

        string email = request.Path[(accountsAt + "/serviceAccounts/".Length)..colon];
        string method = request.Path[(colon + 1)..];
        if (method is not ("generateAccessToken" or "generateIdToken"))
        {
            return GoogleErrors.Api(HttpStatusCode.NotFound, "NOT_FOUND", $"Method not found: {method}.");
        }

        if (request.Method != "POST")
        {
            return GoogleErrors.Api(HttpStatusCode.MethodNotAllowed, "INVALID_ARGUMENT", "Only POST is supported.");
        }

        GoogleToken? caller = _auth.Authenticate(request, out EmulatorResponse? rejection);
        if (caller is null)
        {
            return rejection!;
        }

        JsonElement body;
        try
        {
            using JsonDocument document = JsonDocument.Parse(request.Body.Length == 0 ? "{}"u8.ToArray() : request.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Invalid($"Invalid JSON payload received. {ex.Message}");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Invalid("Invalid JSON payload received. Expected an object.");
        }

        string permission = method == "generateAccessToken" ? AccessTokenPermission : IdTokenPermission;
        List<string> chain = [.. Strings(body, "delegates").Select(DelegateEmail), email];
        if (!MayImpersonate(caller, chain))
        {
            return GoogleErrors.Api(HttpStatusCode.Forbidden, "PERMISSION_DENIED", $"Permission '{permission}' denied on resource (or it may not exist).",
                "IAM_PERMISSION_DENIED", "iam.googleapis.com", new Dictionary<string, string> { ["permission"] = permission });
        }

        ServiceAccountBuilder account = accounts[email];
        return method == "generateAccessToken" ? GenerateAccessToken(account, body) : GenerateIdToken(account, body);
    }

    private EmulatorResponse GenerateAccessToken(ServiceAccountBuilder account, JsonElement body)
    {
        string[] scopes = [.. Strings(body, "scope")];
        if (scopes.Length == 0)
        {
            return Invalid("Request contains an invalid argument.", "scope", "At least one scope is required.");
        }

        TimeSpan lifetime = DefaultLifetime;
        if (body.TryGetProperty("lifetime", out JsonElement lifetimeElement))
        {
            string text = lifetimeElement.ValueKind == JsonValueKind.String ? lifetimeElement.GetString() ?? string.Empty : string.Empty;
            if (!text.EndsWith('s') || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
            {
                return Invalid("Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), Field 'lifetime', Illegal duration format; duration must end with 's'", "lifetime", "Illegal duration format.");
            }

            lifetime = TimeSpan.FromSeconds(seconds);
        }

        TimeSpan max = account.LifetimeExtensionAllowed ? ExtendedLifetime : DefaultLifetime;
        if (lifetime > max)
        {
            return Invalid("Request contains an invalid argument.", "lifetime",
                $"The requested lifetime {lifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s exceeds the maximum of {max.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s; more than 3600s needs the org policy constraint iam.allowServiceAccountCredentialLifetimeExtension.");
        }

        GoogleToken token = tokens.IssueServiceAccount(account.Email, scopes.ToHashSet(StringComparer.Ordinal), lifetime);
        return EmulatorResponse.Json(new JsonObject
        {
            ["accessToken"] = token.Value,
            ["expireTime"] = token.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        });
    }

    private EmulatorResponse GenerateIdToken(ServiceAccountBuilder account, JsonElement body)
    {
        string? audience = body.TryGetProperty("audience", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        if (string.IsNullOrEmpty(audience))
        {
            return Invalid("Request contains an invalid argument.", "audience", "The audience is required.");
        }

        bool includeEmail = body.TryGetProperty("includeEmail", out JsonElement e) && e.ValueKind == JsonValueKind.True;
        long now = tokens.Clock.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["aud"] = audience,
            ["azp"] = account.UniqueId,
            ["exp"] = now + 3600,
            ["iat"] = now,
            ["iss"] = GoogleIssuer,
            ["sub"] = account.UniqueId,
        };
        if (includeEmail)
        {
            claims["email"] = account.Email;
            claims["email_verified"] = true;
        }

        return EmulatorResponse.Json(new JsonObject { ["token"] = googleKey.Sign(claims) });
    }

    private bool MayImpersonate(GoogleToken caller, List<string> chain)
    {
        for (int i = 0; i < chain.Count; i++)
        {
            if (!accounts.TryGetValue(chain[i], out ServiceAccountBuilder? account))
            {
                return false;
            }

            bool allowed = i == 0
                ? account.WorkloadIdentityUsers.Any(caller.IsMember) || account.TokenCreators.Any(caller.IsMember)
                : account.TokenCreators.Contains("serviceAccount:" + chain[i - 1]);
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }

    private static string DelegateEmail(string name)
    {
        int at = name.LastIndexOf("/serviceAccounts/", StringComparison.Ordinal);
        return at < 0 ? name : name[(at + "/serviceAccounts/".Length)..];
    }

    private static IEnumerable<string> Strings(JsonElement body, string name) =>
        body.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
            : [];

    private static EmulatorResponse Invalid(string message, string? field = null, string? description = null)
    {
        EmulatorResponse response = GoogleErrors.Api(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", message);
        if (field is null)
        {
            return response;
        }

        // Add a BadRequest detail naming the field, as Google does for argument errors.
        JsonObject root = JsonNode.Parse(response.Body)!.AsObject();
        root["error"]!["details"] = new JsonArray(new JsonObject
        {
            ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
            ["fieldViolations"] = new JsonArray(new JsonObject { ["field"] = field, ["description"] = description }),
        });
        return EmulatorResponse.Json(HttpStatusCode.BadRequest, root).WithHeader(EmulatorHost.ErrorCodeHeader, "INVALID_ARGUMENT");
    }
}
