using System.Text.Json;
using CrossCloudAuth.Testing.Oidc;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Oidc;

public sealed class OidcIssuerTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task Discovery_AndJwks_PublishTheSigningKey()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        OidcIssuer issuer = cloud.GetOidcIssuer("eks");
        using HttpClient http = NewHttpClient();

        using JsonDocument discovery = JsonDocument.Parse(await http.GetStringAsync(issuer.DiscoveryUri));
        using JsonDocument jwks = JsonDocument.Parse(await http.GetStringAsync(discovery.RootElement.GetProperty("jwks_uri").GetString()));

        Assert.Equal(issuer.Issuer, discovery.RootElement.GetProperty("issuer").GetString());
        Assert.Equal("RS256", discovery.RootElement.GetProperty("id_token_signing_alg_values_supported")[0].GetString());
        JsonElement key = jwks.RootElement.GetProperty("keys")[0];
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.Equal(issuer.KeyId, key.GetProperty("kid").GetString());
        Assert.Equal("AQAB", key.GetProperty("e").GetString());
    }

    [Fact]
    public async Task MintServiceAccountToken_CarriesKubeletClaims()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        OidcIssuer issuer = cloud.GetOidcIssuer("eks");

        string token = issuer.MintServiceAccountToken("ci", "runner", lifetime: TimeSpan.FromMinutes(90));

        string[] parts = token.Split('.');
        using JsonDocument header = JsonDocument.Parse(Decode(parts[0]));
        using JsonDocument claims = JsonDocument.Parse(Decode(parts[1]));
        JsonElement c = claims.RootElement;
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(issuer.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(issuer.Issuer, c.GetProperty("iss").GetString());
        Assert.Equal("system:serviceaccount:ci:runner", c.GetProperty("sub").GetString());
        Assert.Equal("sts.amazonaws.com", c.GetProperty("aud")[0].GetString());
        long iat = _clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(iat, c.GetProperty("iat").GetInt64());
        Assert.Equal(iat, c.GetProperty("nbf").GetInt64());
        Assert.Equal(iat + 5400, c.GetProperty("exp").GetInt64());
        Assert.Equal("ci", c.GetProperty("kubernetes.io").GetProperty("namespace").GetString());
        Assert.Equal("runner", c.GetProperty("kubernetes.io").GetProperty("serviceaccount").GetProperty("name").GetString());
    }

    [Fact]
    public async Task WriteServiceAccountTokenFileAsync_WritesTheTokenLikeAProjectedVolume()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string path = Path.Combine(Path.GetTempPath(), "cca-tests", Guid.NewGuid().ToString("N"), "serviceaccount", "token");
        try
        {
            string token = await cloud.GetOidcIssuer("eks").WriteServiceAccountTokenFileAsync(path, "ci", "runner");

            Assert.Equal(token, await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path))!, recursive: true);
        }
    }

    [Fact]
    public void MintServiceAccountToken_BeforeStart_ExplainsWhy()
    {
        OidcIssuer? captured = null;
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() =>
        {
            CloudEmulator.StartAsync(b => { captured = b.AddOidcIssuer("x"); throw new InvalidOperationException("stop"); }).GetAwaiter().GetResult();
        });
        Assert.Equal("stop", error.Message);
        Assert.Throws<InvalidOperationException>(() => captured!.MintServiceAccountToken("a", "b"));
    }

    private static byte[] Decode(string part) =>
        Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (part.Length % 4)) % 4));
}
