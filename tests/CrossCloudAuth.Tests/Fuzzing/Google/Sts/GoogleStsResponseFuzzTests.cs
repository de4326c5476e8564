using System.Net;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using CrossCloudAuth.Http;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Fuzzing.Google.Sts;

/// <summary>Google STS token exchange responses and OAuth error bodies.</summary>
public sealed class GoogleStsResponseFuzzTests
{
    private const string AccessToken = "ya29.fuzzFEDERATEDaccessTOKEN000000000000";
    private const string SubjectToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c3ViamVjdGZ1eno";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<JsonObject> s_valid =
        from expiresIn in Gen.Long[1, 43_200]
        from asString in Gen.Bool
        select new JsonObject
        {
            ["access_token"] = AccessToken,
            ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["token_type"] = "Bearer",
            ["expires_in"] = asString ? JsonValue.Create(expiresIn.ToString(System.Globalization.CultureInfo.InvariantCulture)) : JsonValue.Create(expiresIn),
        };

    private static readonly Gen<JsonObject> s_error =
        from code in Gen.OneOf("invalid_grant", "invalid_request", "unauthorized_client", "invalid_target", "invalid_client", "invalid_scope", "other")
        from description in Gen.OneOf("ID Token is stale to sign-in.", "The audience does not match.", "signature", "condition", "", "Bad token " + SubjectToken)
        select new JsonObject { ["error"] = code, ["error_description"] = description, ["error_uri"] = "https://example.com/e" };

    private static readonly Gen<(HttpStatusCode, byte[])> s_responses =
        from status in Gen.OneOf(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable, (HttpStatusCode)299)
        from body in Gen.OneOf(Hostile.Documents(s_valid), Hostile.Documents(s_error))
        select (status, body);

    [Fact]
    public async Task GetAsync_HostileResponse_ThrowsOnlyAuthenticationFailedException()
    {
        FixedResponseHandler http = new();
        FakeTimeProvider time = new(s_now);
        GoogleStsExchanger exchanger = Create(http, time);
        await Fuzz.CheckAsync(s_responses, async response =>
        {
            (http.Status, http.Body) = response;
            (bool ok, AuthToken? token) = await Expect.ParsesAsync(() => exchanger.GetAsync().AsTask(), [AccessToken, SubjectToken]);
            if (ok)
            {
                Assert.InRange(token!.Token.Length, 1, response.Item2.Length);
                Assert.InRange(token.ExpiresOn, s_now.AddSeconds(1), s_now + GoogleDefaults.MaximumTokenLifetime);
            }
            else
            {
                await Assert.ThrowsAnyAsync<CredentialRequestFailedException>(() => exchanger.GetAsync().AsTask());
            }
        }, baseCount: 600, print: response => $"{(int)response.Item1} {Fuzz.Printable(response.Item2)}");
    }

    [Theory]
    [InlineData("253402300799")]
    [InlineData("253402300800")]
    [InlineData("9223372036854775807")]
    [InlineData("\"9223372036854775807\"")]
    [InlineData("\"253402300799\"")]
    [InlineData("922337203685477")]
    public async Task GetAsync_AbsurdExpiresIn_IsClampedToTheLongestLifetimeGoogleIssues(string expiresIn)
    {
        FixedResponseHandler http = new() { Body = Hostile.Utf8($$"""{"access_token":"{{AccessToken}}","token_type":"Bearer","expires_in":{{expiresIn}}}""") };

        AuthToken token = await Create(http, new FakeTimeProvider(s_now)).GetAsync();

        Assert.Equal(s_now + GoogleDefaults.MaximumTokenLifetime, token.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_ValidResponse_RoundTrips()
    {
        FixedResponseHandler http = new();
        GoogleStsExchanger exchanger = Create(http, new FakeTimeProvider(s_now));
        await Fuzz.CheckAsync(s_valid, async document =>
        {
            http.Body = Hostile.Serialize(document);

            AuthToken token = await exchanger.GetAsync();

            Assert.Equal(AccessToken, token.Token);
            Assert.Equal(s_now.AddSeconds(long.Parse(document["expires_in"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)), token.ExpiresOn);
        }, baseCount: 100, print: document => document.ToJsonString());
    }

    private static GoogleStsExchanger Create(FixedResponseHandler http, FakeTimeProvider time)
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/token", SubjectToken);
        return new GoogleStsExchanger(
            http.CreateClient(),
            new FileSubjectTokenSource("/token", SubjectTokenTypes.Jwt, environment: environment),
            new Uri("https://sts.googleapis.com/v1/token"),
            "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
            ["https://www.googleapis.com/auth/cloud-platform"],
            workforcePoolUserProject: null,
            clientId: null,
            clientSecret: null,
            time,
            TimeSpan.FromSeconds(30),
            new HopRetryOptions { MaxAttempts = 1 },
            logger: null);
    }
}
