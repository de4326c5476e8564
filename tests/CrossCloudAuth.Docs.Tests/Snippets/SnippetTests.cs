using Xunit.Abstractions;

namespace CrossCloudAuth.Docs.Tests.Snippets;

/// <summary>Every C# block of README.md, docs/*.md, samples/README.md and src/*/PACKAGE.md compiles as written
/// (with the context a <c>&lt;!-- snippet: fragment … --&gt;</c> comment declares); see CONTRIBUTING.md.</summary>
public sealed class SnippetTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<Snippet>> All = new(() =>
        MarkdownSnippets.Documents(RepositoryRoot.Path)
            .SelectMany(file => MarkdownSnippets.Extract(file, File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, file))))
            .ToArray());

    /// <summary>One case per block, named by its document and line.</summary>
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (Snippet snippet in All.Value)
        {
            data.Add(snippet.File, snippet.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Snippet_AsWritten_Compiles(string file, int line)
    {
        Snippet snippet = All.Value.Single(s => s.File == file && s.Line == line);

        IReadOnlyList<string> problems = SnippetCompiler.Compile(snippet);

        Assert.True(problems.Count == 0, $"The C# block at {snippet} does not compile:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Snippets_InEveryDocument_AreAllFoundAndCounted()
    {
        int total = 0;
        foreach (string file in MarkdownSnippets.Documents(RepositoryRoot.Path))
        {
            string text = File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, file));
            int found = MarkdownSnippets.Extract(file, text).Count;
            Assert.True(
                found == MarkdownSnippets.CountLooseCSharpFences(text),
                $"{file}: {found} C# blocks extracted, but {MarkdownSnippets.CountLooseCSharpFences(text)} lines open one; write each as a line of its own: ```csharp");
            if (found > 0)
            {
                output.WriteLine($"{file}: {found}");
            }

            total += found;
        }

        output.WriteLine($"C# blocks compiled: {total}");
        Assert.True(total > 0, "No C# block found in the documentation: the document list or the fence rule is broken.");
        Assert.Contains("README.md", All.Value.Select(s => s.File));
    }

    [Fact]
    public void Compile_BlockWithTypeError_ReportsDocumentLineAndCompilerError()
    {
        Snippet snippet = MarkdownSnippets.Extract("docs/example.md", "Intro\n\n```csharp\nusing CrossCloudAuth;\n\nint count = \"three\";\n```\n").Single();

        IReadOnlyList<string> problems = SnippetCompiler.Compile(snippet);

        string problem = Assert.Single(problems);
        Assert.StartsWith("docs/example.md(6,", problem, StringComparison.Ordinal);
        Assert.Contains("error CS0029", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_FragmentWithoutItsContext_FailsAndWithItCompiles()
    {
        const string Block = "```csharp\nvar eks = target.EksToken(\"target-cluster\");\n```\n";
        const string Context = "<!-- snippet: fragment\nusing CrossCloudAuth.Aws;\nusing var target = AwsCredentialChain.FromProfile(\"target-env\");\n-->\n";

        IReadOnlyList<string> bare = SnippetCompiler.Compile(MarkdownSnippets.Extract("a.md", Block).Single());
        Snippet fragment = MarkdownSnippets.Extract("a.md", Context + Block).Single();
        IReadOnlyList<string> withContext = SnippetCompiler.Compile(fragment);

        Assert.Contains(bare, p => p.StartsWith("a.md(2,", StringComparison.Ordinal) && p.Contains("CS0103", StringComparison.Ordinal));
        Assert.Empty(withContext);
        Assert.Equal(2, fragment.ContextLine);
    }

    [Fact]
    public void Compile_UnknownSnippetDirective_IsReportedNotSkipped()
    {
        Snippet snippet = MarkdownSnippets.Extract("a.md", "<!-- snippet: skip -->\n```csharp\nthis is not C#\n```\n").Single();

        string problem = Assert.Single(SnippetCompiler.Compile(snippet));

        Assert.Contains("unknown snippet directive", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_WebApplicationBlock_GetsTheWebSdkImplicitUsings()
    {
        Snippet snippet = MarkdownSnippets.Extract("a.md", "```csharp\nvar builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddHealthChecks();\nbuilder.Build().Run();\n```\n").Single();

        Assert.Empty(SnippetCompiler.Compile(snippet));
    }

    [Fact]
    public void Extract_IndentedBlockAndCSharpInsideAnotherFence_TakesOnlyTheRealBlock()
    {
        const string Text = "1. Step\n\n   ```csharp\n   int x = 1;\n   ```\n\n```markdown\n```csharp\n```\n";

        IReadOnlyList<Snippet> snippets = MarkdownSnippets.Extract("a.md", Text);

        Snippet snippet = Assert.Single(snippets);
        Assert.Equal(3, snippet.Line);
        Assert.Equal(["int x = 1;"], snippet.Code);
    }

    [Fact]
    public void Extract_UnclosedBlock_Throws()
    {
        FormatException error = Assert.Throws<FormatException>(() => MarkdownSnippets.Extract("a.md", "```csharp\nint x = 1;\n"));

        Assert.Contains("a.md:1", error.Message, StringComparison.Ordinal);
    }
}
