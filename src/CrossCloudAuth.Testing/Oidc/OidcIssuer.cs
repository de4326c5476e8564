using System.Text.Json.Nodes;

namespace CrossCloudAuth.Testing.Oidc;

/// <summary>
/// An OIDC issuer served by the emulator (discovery document and JWKS with its own RSA key), minting the
/// tokens a Kubernetes kubelet projects into pods (<c>sub = system:serviceaccount:NS:NAME</c>,
/// <c>kubernetes.io</c> claims) and other JWTs, including expired, tampered and foreign-signed ones for
/// negative tests. Created by <see cref="CloudEmulatorBuilder.AddOidcIssuer"/>; usable for minting once the
/// emulator has started. Thread-safe.
/// </summary>
public sealed class OidcIssuer
{
    private const int UntrustedKeySlot = 0;
    private readonly SigningKey _key;
    private TimeProvider? _clock;
    private Uri? _issuerUri;

    internal OidcIssuer(string name, int keySlot)
    {
        Name = name;
        _key = SigningKey.ForSlot(keySlot + 1);
    }

    /// <summary>Gets the issuer's name, the last segment of its URL.</summary>
    public string Name { get; }

    /// <summary>Gets the issuer URL (<c>iss</c>), such as <c>http://127.0.0.1:PORT/eks</c>.</summary>
    /// <exception cref="InvalidOperationException">The emulator has not started.</exception>
    public Uri IssuerUri => _issuerUri ?? throw NotStarted();

    /// <summary>Gets the issuer URL as the <c>iss</c> claim carries it (no trailing slash).</summary>
    public string Issuer => IssuerUri.AbsoluteUri.TrimEnd('/');

    /// <summary>Gets the issuer's host and path, the prefix of AWS trust-policy condition keys (<c>HOSTPATH:sub</c>).</summary>
    public string HostPath => Issuer[(Issuer.IndexOf("://", StringComparison.Ordinal) + 3)..];

    /// <summary>Gets the URL of the discovery document.</summary>
    public Uri DiscoveryUri => new(Issuer + "/.well-known/openid-configuration");

    /// <summary>Gets the URL of the JWKS document.</summary>
    public Uri JwksUri => new(Issuer + "/keys");

    /// <summary>Gets the key id (<c>kid</c>) of the issuer's signing key.</summary>
    public string KeyId => _key.KeyId;

    /// <summary>Gets or sets the lifetime of minted tokens when none is given. Default 1 hour (the kubelet's EKS default is 24 h).</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Mints a Kubernetes projected service-account token, as the kubelet writes it for a pod.</summary>
    /// <param name="namespace">The Kubernetes namespace.</param>
    /// <param name="serviceAccount">The Kubernetes service account name.</param>
    /// <param name="audience">The audience (<c>aud</c>); EKS IRSA uses <c>sts.amazonaws.com</c>.</param>
    /// <param name="lifetime">The lifetime; <see cref="DefaultLifetime"/> when omitted.</param>
    /// <param name="issuedAt">When it was issued; the emulator's current time when omitted. Pass a past instant to mint an expired token.</param>
    /// <param name="podName">The pod name in the <c>kubernetes.io</c> claim.</param>
    /// <returns>The signed JWT.</returns>
    public string MintServiceAccountToken(string @namespace, string serviceAccount, string audience = "sts.amazonaws.com", TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null, string podName = "app-0")
        => _key.Sign(ServiceAccountClaims(@namespace, serviceAccount, audience, lifetime, issuedAt, podName));

    /// <summary>Mints a token with arbitrary claims; <c>iss</c>, <c>iat</c>, <c>nbf</c> and <c>exp</c> are added unless given.</summary>
    /// <param name="subject">The subject (<c>sub</c>).</param>
    /// <param name="audience">The audience (<c>aud</c>).</param>
    /// <param name="lifetime">The lifetime; <see cref="DefaultLifetime"/> when omitted.</param>
    /// <param name="issuedAt">When it was issued; now when omitted.</param>
    /// <param name="claims">Extra claims (strings, numbers, booleans or <see cref="JsonNode"/> values); they override the defaults.</param>
    /// <returns>The signed JWT.</returns>
    public string MintToken(string subject, string audience, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null, IReadOnlyDictionary<string, object?>? claims = null)
    {
        JsonObject payload = BaseClaims(subject, audience, lifetime, issuedAt);
        foreach ((string name, object? value) in claims ?? new Dictionary<string, object?>())
        {
            payload[name] = value switch
            {
                null => null,
                JsonNode node => node.DeepClone(),
                string s => s,
                bool b => b,
                int i => i,
                long l => l,
                double d => d,
                _ => value.ToString(),
            };
        }

        return _key.Sign(payload);
    }

    /// <summary>Mints a service-account token with this issuer's claims and key id but signed by a key the issuer never published.</summary>
    /// <param name="namespace">The Kubernetes namespace.</param>
    /// <param name="serviceAccount">The Kubernetes service account name.</param>
    /// <param name="audience">The audience.</param>
    /// <returns>A JWT whose signature does not verify against the issuer's JWKS.</returns>
    public string MintWithUntrustedKey(string @namespace, string serviceAccount, string audience = "sts.amazonaws.com")
        => SigningKey.ForSlot(UntrustedKeySlot).Sign(ServiceAccountClaims(@namespace, serviceAccount, audience, null, null, "app-0"), keyIdOverride: _key.KeyId);

    /// <summary>Writes a freshly minted service-account token to <paramref name="path"/>, like the kubelet's projected volume.</summary>
    /// <param name="path">The file to (over)write; its directory is created.</param>
    /// <param name="namespace">The Kubernetes namespace.</param>
    /// <param name="serviceAccount">The Kubernetes service account name.</param>
    /// <param name="audience">The audience.</param>
    /// <param name="lifetime">The lifetime; <see cref="DefaultLifetime"/> when omitted.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The token written.</returns>
    public async Task<string> WriteServiceAccountTokenFileAsync(string path, string @namespace, string serviceAccount, string audience = "sts.amazonaws.com", TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string token = MintServiceAccountToken(@namespace, serviceAccount, audience, lifetime);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, token, cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>Returns <paramref name="token"/> with one payload claim changed and the original signature kept, so the signature no longer verifies.</summary>
    /// <param name="token">A JWT.</param>
    /// <returns>The tampered JWT.</returns>
    public static string Tamper(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        string[] parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[1], out byte[] payload))
        {
            throw new ArgumentException("Not a compact JWT.", nameof(token));
        }

        JsonObject claims = JsonNode.Parse(payload)!.AsObject();
        claims["sub"] = (claims["sub"]?.GetValue<string>() ?? string.Empty) + "-tampered";
        return parts[0] + "." + Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];
    }

    internal SigningKey Key => _key;

    internal void Bind(Uri oidcBase, TimeProvider clock)
    {
        _issuerUri = new Uri(oidcBase, Name);
        _clock = clock;
    }

    internal JsonObject DiscoveryDocument() => new()
    {
        ["issuer"] = Issuer,
        ["jwks_uri"] = JwksUri.AbsoluteUri,
        ["authorization_endpoint"] = "urn:kubernetes:programmatic_authorization",
        ["response_types_supported"] = new JsonArray("id_token"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["claims_supported"] = new JsonArray("sub", "iss"),
    };

    internal JsonObject Jwks() => new() { ["keys"] = new JsonArray(_key.ToJwk()) };

    private JsonObject ServiceAccountClaims(string @namespace, string serviceAccount, string audience, TimeSpan? lifetime, DateTimeOffset? issuedAt, string podName)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        JsonObject payload = BaseClaims($"system:serviceaccount:{@namespace}:{serviceAccount}", audience, lifetime, issuedAt);
        payload["aud"] = new JsonArray(audience);
        payload["kubernetes.io"] = new JsonObject
        {
            ["namespace"] = @namespace,
            ["pod"] = new JsonObject { ["name"] = podName, ["uid"] = StableUid(@namespace + "/" + podName) },
            ["serviceaccount"] = new JsonObject { ["name"] = serviceAccount, ["uid"] = StableUid(@namespace + ":" + serviceAccount) },
        };
        return payload;
    }

    private JsonObject BaseClaims(string subject, string audience, TimeSpan? lifetime, DateTimeOffset? issuedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        TimeProvider clock = _clock ?? throw NotStarted();
        DateTimeOffset iat = issuedAt ?? clock.GetUtcNow();
        long issued = iat.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["aud"] = audience,
            ["exp"] = issued + (long)(lifetime ?? DefaultLifetime).TotalSeconds,
            ["iat"] = issued,
            ["iss"] = Issuer,
            ["nbf"] = issued,
            ["sub"] = subject,
        };
    }

    private static string StableUid(string seed)
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static InvalidOperationException NotStarted() =>
        new("The OIDC issuer is not served yet: start the emulator (CloudEmulator.StartAsync) before minting tokens or reading its URL.");
}
