using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace CrossCloudAuth.Cli.Doctor;

/// <summary>Prints a <see cref="DoctorReport"/> as a tree for people, or as JSON for machines.</summary>
internal static class DoctorRenderer
{
    /// <summary>Creates a Spectre console over a writer: colours and a terminal's width when interactive, plain and
    /// wide (no wrapped commands) otherwise.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="interactive">Whether it is a terminal.</param>
    /// <returns>The console.</returns>
    public static IAnsiConsole Console(TextWriter writer, bool interactive)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!interactive)
        {
            console.Profile.Width = 400;
        }

        return console;
    }

    /// <summary>Writes the tree.</summary>
    /// <param name="console">The console.</param>
    /// <param name="report">The report.</param>
    public static void WriteTree(IAnsiConsole console, DoctorReport report)
    {
        string verdict = report.Healthy ? "[green]healthy[/]" : $"[red]stopped at {Markup.Escape(report.StoppedAt!)}[/]";
        var tree = new Tree($"[bold]crosscloud doctor[/]: {verdict} ({report.Hops.Count} hops, {Ms(report.Elapsed)})");
        TreeNode discovery = tree.AddNode("[bold]discovered[/]");
        foreach ((string label, string value) in report.Discovered)
        {
            discovery.AddNode($"{Markup.Escape(label)}: [grey]{Markup.Escape(value)}[/]");
        }

        foreach (Hop hop in report.Hops)
        {
            string mark = hop.Ok ? "[green]✓[/]" : "[red]✗[/]";
            TreeNode node = tree.AddNode($"{mark} [bold]{Markup.Escape(hop.Name)}[/] [grey]{Ms(hop.Elapsed)}[/]");
            node.AddNode($"presented: {Markup.Escape(hop.Presented)}");
            string returned = hop.Ok ? Markup.Escape(hop.Result) : $"[red]{Markup.Escape(hop.Result)}[/]";
            node.AddNode($"returned: {returned}{(hop.ExpiresOn is { } e ? $" [grey](expires {JwtClaims.Format(e)})[/]" : string.Empty)}");
            foreach ((string label, string value) in hop.Details)
            {
                node.AddNode($"[grey]{Markup.Escape(label)}: {Markup.Escape(value)}[/]");
            }

            if (!hop.Ok && report.Diagnosis is { } d && hop.Name == report.StoppedAt)
            {
                node.AddNode($"[yellow]probable cause ({Markup.Escape(d.Pitfall)}):[/] {Markup.Escape(d.Cause)}");
                node.AddNode($"[yellow]fix:[/] {Markup.Escape(d.Fix)}");
            }
        }

        foreach (Diagnosis note in report.Notes)
        {
            TreeNode node = tree.AddNode($"[yellow]! note ({Markup.Escape(note.Pitfall)}):[/] {Markup.Escape(note.Cause)}");
            node.AddNode($"[yellow]fix:[/] {Markup.Escape(note.Fix)}");
        }

        console.Write(tree);
        if (report.Healthy && report.Summary is { } summary)
        {
            console.MarkupLine($"[green]{Markup.Escape(summary)}[/]");
        }
    }

    /// <summary>Writes the report as JSON.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="report">The report.</param>
    public static void WriteJson(TextWriter writer, DoctorReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("healthy", report.Healthy);
            if (report.StoppedAt is { } stopped)
            {
                json.WriteString("stoppedAt", stopped);
            }

            json.WriteNumber("elapsedMs", Math.Round(report.Elapsed.TotalMilliseconds, 1));
            json.WriteStartObject("discovered");
            foreach ((string label, string value) in report.Discovered)
            {
                json.WriteString(label, value);
            }

            json.WriteEndObject();
            json.WriteStartArray("hops");
            foreach (Hop hop in report.Hops)
            {
                json.WriteStartObject();
                json.WriteString("name", hop.Name);
                json.WriteBoolean("ok", hop.Ok);
                json.WriteNumber("status", hop.Status);
                json.WriteNumber("elapsedMs", Math.Round(hop.Elapsed.TotalMilliseconds, 1));
                json.WriteString("presented", hop.Presented);
                json.WriteString("returned", hop.Result);
                if (hop.ExpiresOn is { } e)
                {
                    json.WriteString("expiresOn", JwtClaims.Format(e));
                }

                if (hop.ErrorCode is { } code)
                {
                    json.WriteString("errorCode", code);
                }

                if (hop.ErrorMessage is { } message)
                {
                    json.WriteString("errorMessage", message);
                }

                json.WriteStartObject("details");
                foreach ((string label, string value) in hop.Details)
                {
                    json.WriteString(label, value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (report.Diagnosis is { } d)
            {
                json.WriteStartObject("diagnosis");
                json.WriteString("pitfall", d.Pitfall);
                json.WriteString("cause", d.Cause);
                json.WriteString("fix", d.Fix);
                json.WriteEndObject();
            }

            json.WriteStartArray("notes");
            foreach (Diagnosis note in report.Notes)
            {
                json.WriteStartObject();
                json.WriteString("pitfall", note.Pitfall);
                json.WriteString("cause", note.Cause);
                json.WriteString("fix", note.Fix);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (report.Summary is { } summary)
            {
                json.WriteString("summary", summary);
            }

            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Ms(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms");
}
