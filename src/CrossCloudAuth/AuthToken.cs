namespace CrossCloudAuth;

/// <summary>
/// A bearer token (a Google access token, a Google ID token, an EKS token) with its expiry.
/// Immutable and safe to share between threads.
/// </summary>
/// <remarks><see cref="ToString"/> never shows the token itself, so an access token can be logged or
/// shown in a debugger without leaking the secret.</remarks>
public sealed class AuthToken : IExpiringCredential, IEquatable<AuthToken>
{
    /// <summary>Initializes a new instance of the <see cref="AuthToken"/> class.</summary>
    /// <param name="token">The secret token value.</param>
    /// <param name="expiresOn">When the issuer stops accepting the token.</param>
    /// <param name="refreshOn">When the issuer suggests refreshing, if it said.</param>
    /// <param name="tokenType">The token's type as the issuer named it, such as <c>Bearer</c> or an RFC 8693 URN.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public AuthToken(string token, DateTimeOffset expiresOn, DateTimeOffset? refreshOn = null, string? tokenType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        Token = token;
        ExpiresOn = expiresOn;
        RefreshOn = refreshOn;
        TokenType = tokenType ?? "Bearer";
    }

    /// <summary>Gets the secret token value. Never log it.</summary>
    public string Token { get; }

    /// <inheritdoc />
    public DateTimeOffset ExpiresOn { get; }

    /// <inheritdoc />
    public DateTimeOffset? RefreshOn { get; }

    /// <summary>Gets the token's type as the issuer named it (<c>Bearer</c> unless the issuer said otherwise).</summary>
    public string TokenType { get; }

    /// <inheritdoc />
    public bool Equals(AuthToken? other) =>
        other is not null && string.Equals(Token, other.Token, StringComparison.Ordinal) && ExpiresOn == other.ExpiresOn;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AuthToken);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Token), ExpiresOn);

    /// <summary>Returns a description with the type and expiry, and only the length of the secret.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"AuthToken {{ Type = {TokenType}, ExpiresOn = {ExpiresOn:O}, Token = <redacted, {Token.Length} chars> }}");
}
