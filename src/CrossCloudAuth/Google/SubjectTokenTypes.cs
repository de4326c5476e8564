namespace CrossCloudAuth.Google;

/// <summary>The RFC 8693 subject token types Google's Security Token Service accepts.</summary>
public static class SubjectTokenTypes
{
    /// <summary>An OIDC ID token in JWT form, such as a Kubernetes projected service-account token (<c>urn:ietf:params:oauth:token-type:jwt</c>).</summary>
    public const string Jwt = "urn:ietf:params:oauth:token-type:jwt";

    /// <summary>An OIDC ID token (<c>urn:ietf:params:oauth:token-type:id_token</c>).</summary>
    public const string IdToken = "urn:ietf:params:oauth:token-type:id_token";

    /// <summary>A base64-encoded SAML 2.0 assertion (<c>urn:ietf:params:oauth:token-type:saml2</c>).</summary>
    public const string Saml2 = "urn:ietf:params:oauth:token-type:saml2";

    /// <summary>A serialized, SigV4-signed AWS STS <c>GetCallerIdentity</c> request (<c>urn:ietf:params:aws:token-type:aws4_request</c>).</summary>
    public const string Aws4Request = "urn:ietf:params:aws:token-type:aws4_request";
}
