using System.Buffers.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Google.Impersonation;

/// <summary>The <c>exp</c> claim of the ID tokens IAM Credentials mints.</summary>
public sealed class JwtExpiryFuzzTests
{
    private static readonly Gen<JsonObject> s_payload = Gen.Long[1, 253402300799].Select(exp => new JsonObject { ["iss"] = "https://accounts.google.com", ["aud"] = "x", ["exp"] = exp });

    [Fact]
    public void TryRead_HostileToken_NeverThrows() =>
        Fuzz.Check(Gen.OneOf(
            Hostile.Text,
            Hostile.Documents(s_payload).Select(payload => "eyJhbGciOiJSUzI1NiJ9." + Base64Url.EncodeToString(payload) + ".c2ln"),
            Hostile.Bytes.Select(payload => "a." + Convert.ToBase64String(payload) + ".b")), jwt =>
        {
            if (Expect.Parses(() => JwtExpiry.TryRead(jwt, out DateTimeOffset expiresOn) ? expiresOn : (DateTimeOffset?)null, jwt.Length, out DateTimeOffset? read) && read is DateTimeOffset value)
            {
                Assert.True(value > DateTimeOffset.UnixEpoch);
            }
        }, baseCount: 800);

    [Fact]
    public void TryRead_ValidToken_RoundTrips() =>
        Fuzz.Check(s_payload, payload =>
        {
            Assert.True(JwtExpiry.TryRead(IamCredentialsResponseFuzzTests.Jwt(payload.ToJsonString()), out DateTimeOffset expiresOn));
            Assert.Equal((long)payload["exp"]!, expiresOn.ToUnixTimeSeconds());
        }, baseCount: 200);
}
