using System.Text.RegularExpressions;

namespace CrossCloudAuth.Docs.Tests.Snippets;

/// <summary>One fenced C# block of a Markdown document.</summary>
/// <param name="File">The document, relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Code">The block's lines, with the fence's indentation removed.</param>
/// <param name="Context">The assumed context declared by a <c>&lt;!-- snippet: fragment … --&gt;</c> comment, or empty.</param>
/// <param name="ContextLine">The 1-based line of the first context line.</param>
/// <param name="DirectiveError">Why the comment before the block could not be used, or null.</param>
public sealed record Snippet(string File, int Line, IReadOnlyList<string> Code, IReadOnlyList<string> Context, int ContextLine, string? DirectiveError)
{
    /// <summary>Gets the 1-based line of the block's first code line.</summary>
    public int CodeLine => Line + 1;

    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Finds the C# blocks of the documentation. A block opens with a fence line <c>```csharp</c> (also <c>cs</c> or
/// <c>c#</c>, indented as inside a list item) and closes with the next bare <c>```</c> at any indentation. An HTML
/// comment that ends on the last non-blank line before the fence and starts with <c>&lt;!-- snippet: fragment</c>
/// declares the context the block assumes (usings, variables): its remaining lines are C# placed before the block.
/// </summary>
public static partial class MarkdownSnippets
{
    /// <summary>The documents whose C# blocks must compile, relative to the repository root.</summary>
    /// <param name="root">The repository root.</param>
    /// <returns>The documents, in a stable order.</returns>
    public static IReadOnlyList<string> Documents(string root)
    {
        var files = new List<string> { "README.md", "samples/README.md" };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));
        files.AddRange(Directory.GetDirectories(Path.Combine(root, "src"))
            .Where(d => File.Exists(Path.Combine(d, "PACKAGE.md")))
            .Select(d => "src/" + Path.GetFileName(d) + "/PACKAGE.md")
            .Order(StringComparer.Ordinal));
        return files.Where(f => File.Exists(Path.Combine(root, f))).ToArray();
    }

    /// <summary>Extracts every C# block of one document.</summary>
    /// <param name="file">The document's name, for reports.</param>
    /// <param name="text">The document's text.</param>
    /// <returns>The blocks, in document order.</returns>
    /// <exception cref="FormatException">A C# block is never closed.</exception>
    public static IReadOnlyList<Snippet> Extract(string file, string text)
    {
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<Snippet>();
        string? otherFence = null;
        for (int i = 0; i < lines.Length; i++)
        {
            if (otherFence is not null)
            {
                // Inside a block of another language: a "```csharp" line there is content, not a fence.
                if (lines[i].Trim() == otherFence)
                {
                    otherFence = null;
                }

                continue;
            }

            Match open = CSharpFence().Match(lines[i]);
            if (!open.Success)
            {
                Match other = AnyFence().Match(lines[i]);
                if (other.Success)
                {
                    otherFence = other.Groups["fence"].Value;
                }

                continue;
            }

            int indent = open.Groups["indent"].Value.Length;
            int start = i;
            var code = new List<string>();
            for (i++; ; i++)
            {
                if (i == lines.Length)
                {
                    throw new FormatException($"{file}:{start + 1}: the C# block is never closed with ```.");
                }

                if (lines[i].Trim() == "```")
                {
                    break;
                }

                string line = lines[i];
                int strip = Math.Min(indent, line.Length - line.TrimStart(' ').Length);
                code.Add(line[strip..]);
            }

            (IReadOnlyList<string> context, int contextLine, string? error) = DirectiveBefore(lines, start);
            snippets.Add(new Snippet(file, start + 1, code, context, contextLine, error));
        }

        return snippets;
    }

    /// <summary>Counts the lines that look like the opening of a C# block, however written: the extractor must
    /// find as many blocks as this looser count, so that no block escapes the compiler by its spelling.</summary>
    /// <param name="text">The document's text.</param>
    /// <returns>The number of lines that open a C# block.</returns>
    public static int CountLooseCSharpFences(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Count(l => LooseCSharpFence().IsMatch(l));

    private static (IReadOnlyList<string> Context, int ContextLine, string? Error) DirectiveBefore(string[] lines, int fence)
    {
        int end = fence - 1;
        while (end >= 0 && lines[end].Trim().Length == 0)
        {
            end--;
        }

        if (end < 0 || !lines[end].TrimEnd().EndsWith("-->", StringComparison.Ordinal))
        {
            return ([], 0, null);
        }

        int begin = end;
        while (begin >= 0 && !lines[begin].Contains("<!--", StringComparison.Ordinal))
        {
            begin--;
        }

        if (begin < 0)
        {
            return ([], 0, null);
        }

        string first = lines[begin].Trim();
        if (!first.StartsWith("<!-- snippet:", StringComparison.Ordinal))
        {
            return ([], 0, null);   // an ordinary comment, not addressed to the snippet test
        }

        string kind = first["<!-- snippet:".Length..].Replace("-->", string.Empty, StringComparison.Ordinal).Trim();
        if (kind != "fragment")
        {
            return ([], 0, $"unknown snippet directive '{first}': the only directive is '<!-- snippet: fragment' followed by the C# the block assumes and '-->'.");
        }

        var context = new List<string>();
        for (int i = begin + 1; i <= end; i++)
        {
            string line = lines[i];
            if (i == end)
            {
                line = line[..line.LastIndexOf("-->", StringComparison.Ordinal)];
            }

            context.Add(line);
        }

        return (context, begin + 2, null);
    }

    [GeneratedRegex(@"^(?<indent> *)```\s*(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^ *(?<fence>```)\s*\S*\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex AnyFence();

    [GeneratedRegex(@"^\s*(>\s*)?```+\s*(csharp|cs|c#)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LooseCSharpFence();
}
