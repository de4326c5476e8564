namespace CrossCloudAuth.Tests.Aws;

/// <summary>The seed documents' files, copied to the test output.</summary>
internal static class Fixtures
{
    /// <summary>A projected service-account token's shape (header.payload.signature); the signature part is distinctive
    /// so tests can assert it never appears in a message.</summary>
    public const string ProjectedToken =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJpc3MiOiJodHRwczovL29pZGMuZWtzLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tL2lkL0VYQU1QTEUiLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2ktbmFtZXNwYWNlOmNpLXNlcnZpY2VhY2NvdW50IiwiYXVkIjpbInN0cy5hbWF6b25hd3MuY29tIl19.SIGNATUREdG9rZW5TRUNSRVQ";

    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Aws", "Fixtures", name));

    /// <summary>Reads a KEY=value file (comments and blank lines skipped).</summary>
    public static IReadOnlyDictionary<string, string> ReadEnv(string name) =>
        Read(name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    /// <summary>Seed 001's profiles with placeholder account ids replaced by numbers STS would accept.</summary>
    public static string Seed001Config() =>
        Read("seed001-aws-config").Replace("CI_ACCOUNT_ID", "111111111111", StringComparison.Ordinal).Replace("TARGET_ACCOUNT_ID", "222222222222", StringComparison.Ordinal);
}
