using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CrossCloudAuth.Docs.Tests.Snippets;

/// <summary>
/// Compiles a documentation block as a reader would paste it into a new project: a program of top-level statements
/// with nullable reference types on and the implicit global usings of <c>dotnet new console</c> (of
/// <c>dotnet new web</c> when the block mentions <c>WebApplication</c>). The block's <c>using</c> directives, and those
/// of its declared context, move to the top; the context's other lines come before the block's statements. Errors and
/// warnings are reported at the document's own file and line.
/// </summary>
public static partial class SnippetCompiler
{
    private static readonly string[] ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WebUsings =
    [
        "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    // The test's own dependency closure, as the runtime resolved it, minus the compiler and the test host.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !IsTooling(Path.GetFileNameWithoutExtension(path)))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray());

    /// <summary>Compiles one block.</summary>
    /// <param name="snippet">The block.</param>
    /// <returns>Every error and warning, each as "file(line,column): id: message"; empty when the block compiles.</returns>
    public static IReadOnlyList<string> Compile(Snippet snippet)
    {
        if (snippet.DirectiveError is not null)
        {
            return [$"{snippet.File}({snippet.Line - 1}): {snippet.DirectiveError}"];
        }

        string source = Wrap(snippet);
        bool web = source.Contains("WebApplication", StringComparison.Ordinal);
        string globals = string.Concat((web ? ConsoleUsings.Concat(WebUsings) : ConsoleUsings).Select(u => $"global using global::{u};\n"));

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                // What the .NET SDK suppresses by default in every project (assembly version unification notices).
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(globals, parse, "GlobalUsings.g.cs"), CSharpSyntaxTree.ParseText(source, parse, snippet.File, Encoding.UTF8)],
            References.Value,
            options);

        return compilation.GetDiagnostics()
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .OrderBy(d => d.Location.GetMappedLineSpan().StartLinePosition.Line)
            .Select(Format)
            .ToArray();
    }

    /// <summary>The program a block compiles as, with <c>#line</c> directives that map it back to the document.</summary>
    /// <param name="snippet">The block.</param>
    /// <returns>The source text.</returns>
    public static string Wrap(Snippet snippet)
    {
        var usings = new StringBuilder();
        var body = new StringBuilder();
        Split(snippet.Context, snippet.ContextLine, snippet.File, usings, body);
        Split(snippet.Code, snippet.CodeLine, snippet.File, usings, body);
        return usings.Append(body).ToString();
    }

    private static void Split(IReadOnlyList<string> lines, int firstLine, string file, StringBuilder usings, StringBuilder body)
    {
        string escaped = file.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        int? bodyLine = null;
        for (int i = 0; i < lines.Count; i++)
        {
            if (UsingDirective().IsMatch(lines[i]))
            {
                usings.Append($"#line {firstLine + i} \"{escaped}\"\n").Append(lines[i]).Append('\n');
                bodyLine = null;
            }
            else
            {
                if (bodyLine != firstLine + i)
                {
                    body.Append($"#line {firstLine + i} \"{escaped}\"\n");
                }

                body.Append(lines[i]).Append('\n');
                bodyLine = firstLine + i + 1;
            }
        }
    }

    private static string Format(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetMappedLineSpan();
        string where = span.IsValid ? $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})" : "(no location)";
        return $"{where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static bool IsTooling(string name) =>
        name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.TestPlatform", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.VisualStudio", StringComparison.Ordinal)
        || name.StartsWith("testhost", StringComparison.Ordinal)
        || name == typeof(SnippetCompiler).Assembly.GetName().Name;

    // "using X.Y;", "using static X.Y;", "using A = X.Y;" and their global forms, but not "using var x = …;" or "using (…)".
    [GeneratedRegex(@"^\s*(global\s+)?using\s+(static\s+)?(\w+\s*=\s*)?[\w.]+(<[\w.,\s<>]+>)?\s*;\s*(//.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex UsingDirective();
}
