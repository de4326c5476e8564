using System.Globalization;

namespace CrossCloudAuth.Aws;

/// <summary>
/// A set of AWS credentials: long-term keys, or temporary session credentials with an expiry.
/// Immutable and safe to share between threads.
/// </summary>
/// <remarks><see cref="ToString"/> shows the access key id's first four characters (its kind: <c>AKIA</c>
/// long-term, <c>ASIA</c> temporary) and the expiry, never the secret key or the session token.</remarks>
public sealed class AwsCredentials : IExpiringCredential
{
    /// <summary>Initializes a new instance of the <see cref="AwsCredentials"/> class.</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="secretAccessKey">The secret access key.</param>
    /// <param name="sessionToken">The session token of temporary credentials; <see langword="null"/> for long-term keys.</param>
    /// <param name="expiresOn">When temporary credentials expire; <see langword="null"/> for credentials that do not.</param>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> or <paramref name="secretAccessKey"/> is null or empty.</exception>
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiresOn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
        ExpiresOn = expiresOn ?? DateTimeOffset.MaxValue;
    }

    /// <summary>Gets the access key id. Not a secret on its own, but identifies the account.</summary>
    public string AccessKeyId { get; }

    /// <summary>Gets the secret access key. Never log it.</summary>
    public string SecretAccessKey { get; }

    /// <summary>Gets the session token of temporary credentials, or <see langword="null"/>. Never log it.</summary>
    public string? SessionToken { get; }

    /// <summary>Gets when the credentials expire; <see cref="DateTimeOffset.MaxValue"/> for credentials that do not.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <inheritdoc />
    DateTimeOffset? IExpiringCredential.RefreshOn => null;

    /// <summary>Gets a value indicating whether these are temporary credentials with an expiry.</summary>
    public bool IsTemporary => ExpiresOn != DateTimeOffset.MaxValue;

    /// <summary>Returns a description with the kind of key and the expiry, and no secret.</summary>
    public override string ToString()
    {
        string prefix = AccessKeyId.Length > 4 ? AccessKeyId[..4] : "?";
        string expiry = IsTemporary ? ExpiresOn.ToString("O", CultureInfo.InvariantCulture) : "never";
        return $"AwsCredentials {{ AccessKeyId = {prefix}…, ExpiresOn = {expiry}, SessionToken = {(SessionToken is null ? "none" : "<redacted>")} }}";
    }
}
