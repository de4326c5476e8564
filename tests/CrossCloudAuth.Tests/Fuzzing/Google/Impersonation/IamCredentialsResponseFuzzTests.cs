using System.Buffers.Text;
using System.Net;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CrossCloudAuth.Http;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Fuzzing.Google.Impersonation;

/// <summary>IAM Credentials generateAccessToken / generateIdToken responses and Google API error envelopes.</summary>
public sealed class IamCredentialsResponseFuzzTests
{
    private const string MintedToken = "ya29.fuzzIMPERSONATEDtoken00000000000000";
    private const string FederatedToken = "ya29.fuzzFEDERATEDtoken000000000000000000";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<JsonObject> s_accessToken =
        from seconds in Gen.Int[1, 43_200]
        from digits in Gen.Int[0, 9]
        select new JsonObject { ["accessToken"] = MintedToken, ["expireTime"] = Rfc3339FuzzTests.Format(s_now.AddSeconds(seconds), digits, "Z") };

    private static readonly Gen<JsonObject> s_idToken =
        from exp in Gen.Long[1, 253402300799]
        select new JsonObject { ["token"] = Jwt($$"""{"iss":"https://accounts.google.com","exp":{{exp}}}""") };

    private static readonly Gen<JsonObject> s_error =
        from code in Gen.Int[400, 599]
        from status in Gen.OneOf("PERMISSION_DENIED", "NOT_FOUND", "INVALID_ARGUMENT", "UNAUTHENTICATED", "FAILED_PRECONDITION", "RESOURCE_EXHAUSTED", "")
        select new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
                ["status"] = status,
                ["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = "IAM_PERMISSION_DENIED" }),
            },
        };

    private static readonly Gen<HttpStatusCode> s_status = Gen.OneOf(
        HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden,
        HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, (HttpStatusCode)299);

    [Fact]
    public async Task GenerateAccessTokenAsync_HostileResponse_ThrowsOnlyAuthenticationFailedException()
    {
        FixedResponseHandler http = new();
        IamCredentialsClient client = Create(http);
        await Fuzz.CheckAsync(from status in s_status from body in Gen.OneOf(Hostile.Documents(s_accessToken), Hostile.Documents(s_error)) select (status, body), async response =>
        {
            (http.Status, http.Body) = response;
            (bool ok, AuthToken? token) = await Expect.ParsesAsync(() => client.GenerateAccessTokenAsync(Federated, ["https://www.googleapis.com/auth/cloud-platform"], null, CancellationToken.None), [MintedToken, FederatedToken]);
            if (!ok)
            {
                await Assert.ThrowsAnyAsync<CredentialRequestFailedException>(() => client.GenerateAccessTokenAsync(Federated, ["scope"], null, CancellationToken.None));
            }
            else
            {
                Assert.InRange(token!.Token.Length, 1, response.Item2.Length);
            }
        }, baseCount: 500, print: response => $"{(int)response.Item1} {Fuzz.Printable(response.Item2)}");
    }

    [Fact]
    public async Task GenerateIdTokenAsync_HostileResponse_ThrowsOnlyAuthenticationFailedException()
    {
        FixedResponseHandler http = new();
        IamCredentialsClient client = Create(http);
        Gen<JsonObject> hostileJwts =
            from payload in Gen.OneOf(Hostile.Mutations(Gen.Const(new JsonObject { ["exp"] = 1_800_000_000, ["iss"] = "x" })), Hostile.Bytes)
            from parts in Gen.OneOf(0, 0, 0, 1, 2)
            select new JsonObject { ["token"] = parts switch { 1 => "a." + Base64Url.EncodeToString(payload), 2 => "a.." + Base64Url.EncodeToString(payload) + ".b", _ => "eyJhbGciOiJSUzI1NiJ9." + Base64Url.EncodeToString(payload) + ".c2ln" } };
        await Fuzz.CheckAsync(from status in s_status from body in Gen.OneOf(Hostile.Documents(s_idToken), Hostile.Documents(s_error), Hostile.Documents(hostileJwts)) select (status, body), async response =>
        {
            (http.Status, http.Body) = response;
            (bool ok, AuthToken? token) = await Expect.ParsesAsync(() => client.GenerateIdTokenAsync(Federated, "https://service.example.com", includeEmail: true, CancellationToken.None), [FederatedToken]);
            if (ok)
            {
                Assert.True(token!.Token.Length <= response.Item2.Length);
            }
        }, baseCount: 500, print: response => $"{(int)response.Item1} {Fuzz.Printable(response.Item2)}");
    }

    [Fact]
    public async Task GenerateIdTokenAsync_ValidResponse_RoundTrips()
    {
        FixedResponseHandler http = new();
        IamCredentialsClient client = Create(http);
        await Fuzz.CheckAsync(s_idToken, async document =>
        {
            http.Body = Hostile.Serialize(document);

            AuthToken token = await client.GenerateIdTokenAsync(Federated, "https://service.example.com", includeEmail: false, CancellationToken.None);

            Assert.Equal((string)document["token"]!, token.Token);
        }, baseCount: 100, print: document => document.ToJsonString());
    }

    private static AuthToken Federated => new(FederatedToken, s_now.AddHours(1));

    internal static string Jwt(string payload) => "eyJhbGciOiJSUzI1NiJ9." + Base64Url.EncodeToString(Hostile.Utf8(payload)) + ".c2lnbmF0dXJl";

    private static IamCredentialsClient Create(FixedResponseHandler http) => new(
        http.CreateClient(),
        new Uri("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"),
        [],
        new ImpersonationContext("sa@p.iam.gserviceaccount.com", "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q", SubjectTokenTypes.Jwt),
        new FakeTimeProvider(s_now),
        TimeSpan.FromSeconds(30),
        new HopRetryOptions { MaxAttempts = 1 },
        logger: null);
}
