namespace CrossCloudAuth.DependencyInjection;

/// <summary>Finds the valid configuration key nearest to a misspelled one (<c>ServiceAcountEmail</c> →
/// <c>ServiceAccountEmail</c>), by edit distance with transpositions, ignoring case as configuration does.</summary>
internal static class KeySuggestion
{
    /// <summary>Returns the candidate nearest to <paramref name="key"/>, or <see langword="null"/> when none is close
    /// enough to be a plausible misspelling (at most a third of the key's letters, and at least 2, differ) or a
    /// shortening (<c>Name</c> for <c>ProfileName</c>).</summary>
    public static string? Nearest(string key, IEnumerable<string> candidates)
    {
        string[] ordered = [.. candidates.Order(StringComparer.Ordinal)];
        if (key.Length >= 4 && ordered.FirstOrDefault(c => c.EndsWith(key, StringComparison.OrdinalIgnoreCase) || c.StartsWith(key, StringComparison.OrdinalIgnoreCase)) is { } extended)
        {
            return extended;
        }

        int limit = Math.Max(2, key.Length / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in ordered)
        {
            int distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= limit ? best : null;
    }

    /// <summary>The optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.</summary>
    internal static int Distance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
