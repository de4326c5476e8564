namespace CrossCloudAuth;

/// <summary>
/// A credential with a lifetime: an access token, an ID token, a set of AWS session credentials.
/// The refresh-ahead cache reads these two instants to decide when to refresh.
/// </summary>
public interface IExpiringCredential
{
    /// <summary>Gets the instant after which the issuer no longer accepts the credential.
    /// <see cref="DateTimeOffset.MaxValue"/> for credentials that never expire (long-term AWS keys).</summary>
    DateTimeOffset ExpiresOn { get; }

    /// <summary>Gets the instant the issuer suggests refreshing at, if it gave one; the cache then uses it
    /// instead of its own lead time.</summary>
    DateTimeOffset? RefreshOn { get; }
}
