using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossCloudAuth.Testing.Oidc;

/// <summary>An RSA key that signs RS256 JWTs and publishes itself as a JWK.</summary>
/// <remarks>
/// RSA-2048 generation costs 100–500 ms on a busy machine, so keys come from a process-wide pool
/// (<see cref="ForSlot"/>): the n-th issuer of every emulator in the process signs with the same key. Tokens
/// still never cross emulators, because each emulator's issuer URLs carry its own port.
/// </remarks>
internal sealed class SigningKey : IDisposable
{
    private static readonly Dictionary<int, SigningKey> s_pool = [];
    private readonly RSA _rsa;

    public SigningKey()
    {
        _rsa = RSA.Create(2048);
        RSAParameters parameters = _rsa.ExportParameters(false);
        Modulus = Base64Url.Encode(parameters.Modulus);
        Exponent = Base64Url.Encode(parameters.Exponent);
        KeyId = Base64Url.Encode(SHA256.HashData(parameters.Modulus!))[..20];
    }

    public string KeyId { get; }

    /// <summary>Returns the pooled key for <paramref name="slot"/>, creating it on first use. Never disposed.</summary>
    public static SigningKey ForSlot(int slot)
    {
        lock (s_pool)
        {
            if (!s_pool.TryGetValue(slot, out SigningKey? key))
            {
                key = new SigningKey();
                s_pool[slot] = key;
            }

            return key;
        }
    }

    public string Modulus { get; }

    public string Exponent { get; }

    public JsonObject ToJwk() => new()
    {
        ["kty"] = "RSA",
        ["alg"] = "RS256",
        ["use"] = "sig",
        ["kid"] = KeyId,
        ["n"] = Modulus,
        ["e"] = Exponent,
    };

    public string Sign(JsonObject payload, string? keyIdOverride = null)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = keyIdOverride ?? KeyId, ["typ"] = "JWT" };
        string signingInput = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
            Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        byte[] signature;
        lock (_rsa)
        {
            // Pooled keys are shared by every emulator in the process; RSA instances promise no thread safety.
            signature = _rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        return signingInput + "." + Base64Url.Encode(signature);
    }

    public bool Verify(string signingInput, byte[] signature)
    {
        lock (_rsa)
        {
            return _rsa.VerifyData(Encoding.ASCII.GetBytes(signingInput), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>Verifies with a public JWK as fetched from a JWKS document.</summary>
    public static bool Verify(JsonElement jwk, string signingInput, byte[] signature)
    {
        if (!jwk.TryGetProperty("n", out JsonElement n) || !jwk.TryGetProperty("e", out JsonElement e) ||
            !Base64Url.TryDecode(n.GetString() ?? string.Empty, out byte[] modulus) ||
            !Base64Url.TryDecode(e.GetString() ?? string.Empty, out byte[] exponent))
        {
            return false;
        }

        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
        return rsa.VerifyData(Encoding.ASCII.GetBytes(signingInput), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public void Dispose() => _rsa.Dispose();
}
