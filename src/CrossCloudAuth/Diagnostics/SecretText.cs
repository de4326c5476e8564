namespace CrossCloudAuth.Diagnostics;

/// <summary>
/// Looks for a secret the library itself holds (a token it sent, a key it signed with) in text that came from
/// elsewhere, such as an upstream error body, before that text is quoted in a message. The check is anchored on
/// the known value, not on what a secret usually looks like.
/// </summary>
internal static class SecretText
{
    /// <summary>The shortest piece of a secret that counts as quoting it.</summary>
    public const int PieceLength = 16;

    /// <summary>Returns whether <paramref name="text"/> contains <paramref name="secret"/> or any
    /// <see cref="PieceLength"/>-character piece of it.</summary>
    /// <param name="text">The text to check.</param>
    /// <param name="secret">The secret; shorter than a piece, it must appear whole.</param>
    /// <returns><see langword="true"/> when some of the secret is in the text.</returns>
    public static bool ContainsPieceOf(string? text, string? secret)
    {
        if (string.IsNullOrEmpty(text) || string.IsNullOrEmpty(secret))
        {
            return false;
        }

        if (secret.Length <= PieceLength)
        {
            return text.Contains(secret, StringComparison.Ordinal);
        }

        ReadOnlySpan<char> haystack = text;
        for (int i = 0; i + PieceLength <= secret.Length; i++)
        {
            if (haystack.IndexOf(secret.AsSpan(i, PieceLength), StringComparison.Ordinal) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
