using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace CrossCloudAuth.Testing.Google.Iam;

/// <summary>Every Google access token the emulator issued; tokens it did not issue are invalid everywhere. Thread-safe.</summary>
internal sealed class GoogleTokenStore(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, GoogleToken> _tokens = new(StringComparer.Ordinal);

    public TimeProvider Clock => clock;

    public GoogleToken IssueFederated(string poolResource, string subject, IReadOnlyDictionary<string, string> attributes, IReadOnlyList<string> groups, IReadOnlySet<string> scopes, TimeSpan lifetime) =>
        Add(new GoogleToken(NewValue("ya29.d."), GooglePrincipalKind.Federated, poolResource, subject, attributes, groups, null, scopes, Expiry(lifetime)));

    public GoogleToken IssueServiceAccount(string email, IReadOnlySet<string> scopes, TimeSpan lifetime) =>
        Add(new GoogleToken(NewValue("ya29.c."), GooglePrincipalKind.ServiceAccount, null, null, new Dictionary<string, string>(), [], email, scopes, Expiry(lifetime)));

    /// <summary>Finds a token; <paramref name="expired"/> tells an expired one from an unknown one.</summary>
    public GoogleToken? Find(string? value, out bool expired)
    {
        expired = false;
        if (value is null || !_tokens.TryGetValue(value, out GoogleToken? token))
        {
            return null;
        }

        if (clock.GetUtcNow() >= token.ExpiresAt)
        {
            expired = true;
            return null;
        }

        return token;
    }

    /// <summary>Revokes one token: later requests carrying it are rejected as carrying an invalid token.</summary>
    public bool Revoke(string value) => _tokens.TryRemove(value, out _);

    /// <summary>Revokes every token issued to a service account; returns how many.</summary>
    public int RevokeServiceAccount(string email)
    {
        int revoked = 0;
        foreach ((string value, GoogleToken token) in _tokens)
        {
            if (token.Kind == GooglePrincipalKind.ServiceAccount
                && string.Equals(token.ServiceAccountEmail, email, StringComparison.OrdinalIgnoreCase)
                && _tokens.TryRemove(value, out _))
            {
                revoked++;
            }
        }

        return revoked;
    }

    private DateTimeOffset Expiry(TimeSpan lifetime) => DateTimeOffset.FromUnixTimeSeconds((clock.GetUtcNow() + lifetime).ToUnixTimeSeconds());

    private GoogleToken Add(GoogleToken token)
    {
        if (_tokens.Count > 10_000)
        {
            DateTimeOffset cutoff = clock.GetUtcNow() - TimeSpan.FromHours(1);
            foreach ((string value, GoogleToken old) in _tokens)
            {
                if (old.ExpiresAt < cutoff)
                {
                    _tokens.TryRemove(value, out _);
                }
            }
        }

        _tokens[token.Value] = token;
        return token;
    }

    private static string NewValue(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
