using System.Net;
using System.Text.Json;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.GoogleCalls;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Google;

public sealed class IamCredentialsTests
{
    private const string Denied = "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).";
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task GenerateAccessToken_BoundPrincipal_ReturnsTokenWithRfc3339Expiry()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");

        JsonResponse response = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("ya29.", response.String("accessToken"));
        Assert.Equal("2026-11-23T13:00:00Z", response.String("expireTime"));
    }

    [Fact]
    public async Task GenerateAccessToken_NoBinding_PermissionDenied()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");

        JsonResponse response = await GenerateAccessTokenAsync(cloud, OtherServiceAccount, federated);

        response.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Equal(Denied, response.Error.GetProperty("message").GetString());
        JsonElement info = response.Error.GetProperty("details")[0];
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", info.GetProperty("@type").GetString());
        Assert.Equal("IAM_PERMISSION_DENIED", info.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task GenerateAccessToken_OtherSubjectOfThePool_PermissionDenied()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "apps", "billing");

        JsonResponse response = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        response.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task GenerateAccessToken_UnknownServiceAccount_PermissionDenied()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");

        JsonResponse response = await GenerateAccessTokenAsync(cloud, "nobody@demo-project.iam.gserviceaccount.com", federated);

        response.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task GenerateAccessToken_LifetimeOverOneHour_InvalidArgumentUnlessExtended()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");
        const string body = """{"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"7200s"}""";

        JsonResponse capped = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated, body);
        JsonResponse extended = await GenerateAccessTokenAsync(cloud, LongLivedServiceAccount, federated, body);

        capped.AssertApiError(HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Equal(HttpStatusCode.OK, extended.Status);
        Assert.Equal("2026-11-23T14:00:00Z", extended.String("expireTime"));
    }

    [Fact]
    public async Task GenerateAccessToken_WithoutBearer_Unauthenticated()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);

        JsonResponse response = await GenerateAccessTokenAsync(cloud, ServiceAccount, bearer: null);

        response.AssertApiError(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task GenerateAccessToken_ExpiredFederatedToken_Unauthenticated()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");
        _clock.Advance(TimeSpan.FromMinutes(61));

        JsonResponse response = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        response.AssertApiError(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Equal("ACCESS_TOKEN_EXPIRED", response.Error.GetProperty("details")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task GenerateAccessToken_FederatedTokenWithoutCloudPlatformScope_InsufficientScopes()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");
        string federated = await FederatedTokenAsync(cloud, OidcAudience, subject, scope: "https://www.googleapis.com/auth/devstorage.read_only");

        JsonResponse response = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        response.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Equal("Request had insufficient authentication scopes.", response.Error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task GenerateAccessToken_ThroughDelegate_RequiresTokenCreatorAlongTheChain()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");
        string viaDelegate = $$"""{"scope":["{{CloudPlatform}}"],"delegates":["projects/-/serviceAccounts/{{DelegateServiceAccount}}"]}""";
        string viaUnbound = $$"""{"scope":["{{CloudPlatform}}"],"delegates":["projects/-/serviceAccounts/{{LongLivedServiceAccount}}"]}""";

        JsonResponse allowed = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated, viaDelegate);
        JsonResponse denied = await GenerateAccessTokenAsync(cloud, ServiceAccount, federated, viaUnbound);

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        denied.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task GenerateIdToken_ReturnsJwtSignedByPublishedGoogleKey()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedAsync(cloud, "ci", "runner");
        Uri url = new(cloud.IamCredentialsEndpoint, $"v1/projects/-/serviceAccounts/{ServiceAccount}:generateIdToken");

        JsonResponse response = await PostJsonAsync(url, federated, """{"audience":"https://my-service.example.com","includeEmail":true}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        string[] parts = response.String("token")!.Split('.');
        using JsonDocument claims = JsonDocument.Parse(Decode(parts[1]));
        Assert.Equal("https://accounts.google.com", claims.RootElement.GetProperty("iss").GetString());
        Assert.Equal("https://my-service.example.com", claims.RootElement.GetProperty("aud").GetString());
        Assert.Equal(ServiceAccount, claims.RootElement.GetProperty("email").GetString());
        using JsonDocument certs = JsonDocument.Parse((await GetAsync(cloud.GoogleCertsUri, null)).Body);
        JsonElement key = certs.RootElement.GetProperty("keys")[0];
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportParameters(new System.Security.Cryptography.RSAParameters { Modulus = Decode(key.GetProperty("n").GetString()!), Exponent = Decode(key.GetProperty("e").GetString()!) });
        Assert.True(rsa.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Decode(parts[2]), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1));
    }

    private static async Task<string> FederatedAsync(CloudEmulator cloud, string ns, string name) =>
        await FederatedTokenAsync(cloud, OidcAudience, cloud.GetOidcIssuer("eks").MintServiceAccountToken(ns, name));

    private static byte[] Decode(string part) =>
        Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (part.Length % 4)) % 4));
}
