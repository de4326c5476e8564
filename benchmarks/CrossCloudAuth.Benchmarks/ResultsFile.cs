using System.Text;

namespace CrossCloudAuth.Benchmarks;

/// <summary>Writes a scenario's own table into <c>benchmarks/results/</c>, next to BenchmarkDotNet's reports.</summary>
internal static class ResultsFile
{
    /// <summary>The results folder: <c>CROSSCLOUDAUTH_BENCHMARK_RESULTS</c> if set, otherwise <c>benchmarks/results</c>
    /// of the repository this process runs in (found by walking up to <c>CrossCloudAuth.sln</c>).</summary>
    public static string Directory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_BENCHMARK_RESULTS");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "CrossCloudAuth.sln")))
                    {
                        return Path.Combine(dir.FullName, "benchmarks", "results");
                    }
                }
            }

            return Path.Combine(Environment.CurrentDirectory, "results");
        }
    }

    /// <summary>Rewrites <paramref name="fileName"/> with <paramref name="header"/> and its table rows, replacing the row
    /// whose first cell is <paramref name="key"/> (each benchmark case runs in its own process and adds its row).</summary>
    public static void UpsertRow(string fileName, string header, string key, string row)
    {
        string directory = Directory;
        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, fileName);
        List<string> rows = [];
        if (File.Exists(path))
        {
            string[] headerLines = header.Split('\n');
            rows.AddRange(File.ReadAllLines(path)
                .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !headerLines.Contains(line) && !line.StartsWith("| Cache |", StringComparison.Ordinal))
                .Where(line => !line.StartsWith($"| {key} |", StringComparison.Ordinal)));
        }

        rows.Add(row);
        rows.Sort(StringComparer.Ordinal);
        StringBuilder text = new();
        text.Append(header.TrimEnd()).Append('\n');
        foreach (string line in rows)
        {
            text.Append(line).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}
