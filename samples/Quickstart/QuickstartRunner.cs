using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>The outcome of one flow.</summary>
/// <param name="Id">F1 … F5.</param>
/// <param name="Outcome"><c>ok</c>, <c>failed</c> or <c>skipped</c>.</param>
/// <param name="Elapsed">The cold end-to-end time of the flow (its own hops, from new credential objects).</param>
/// <param name="Hops">The hops of the timed part.</param>
/// <param name="Error">The failure, if any.</param>
public sealed record FlowResult(string Id, string Outcome, TimeSpan Elapsed, IReadOnlyList<HopRecord> Hops, Exception? Error);

/// <summary>
/// The quickstart: starts the emulator and lays out the workloads (or, with <c>--real</c> or
/// <c>CROSSCLOUDAUTH_REAL=1</c>, reads the real environment), runs F1–F5 and prints each hop.
/// </summary>
public static class QuickstartRunner
{
    /// <summary>Runs the quickstart as the command line asks.</summary>
    /// <param name="args">The arguments: <c>--real</c>, <c>--help</c>.</param>
    /// <param name="output">Where the trace goes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code: 0 when every flow that ran succeeded, 1 when one failed, 2 when nothing could run.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await output.WriteLineAsync(Help);
            return 0;
        }

        bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
        if (real)
        {
            return await RunFlowsAsync(RealSettings.FromProcessEnvironment(), output, cancellationToken);
        }

        long started = Stopwatch.GetTimestamp();
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(cancellationToken: cancellationToken);
        await output.WriteLineAsync($"CrossCloudAuth quickstart · local verifying emulator started in {Ms(Stopwatch.GetElapsedTime(started))} · layout in {world.Root}");
        return await RunFlowsAsync(world.Settings, output, cancellationToken);
    }

    /// <summary>Runs every flow with <paramref name="settings"/> and prints the trace.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="output">Where the trace goes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunFlowsAsync(QuickstartSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<FlowResult> results = await RunAndPrintAsync(settings, output, cancellationToken);
        await output.WriteLineAsync();
        await output.WriteLineAsync("flow  outcome  cold end-to-end  hops");
        foreach (FlowResult r in results)
        {
            await output.WriteLineAsync($"{r.Id,-5} {r.Outcome,-8} {(r.Outcome == "skipped" ? "-" : Ms(r.Elapsed)),15}  {(r.Outcome == "skipped" ? "-" : r.Hops.Count.ToString(CultureInfo.InvariantCulture))}");
        }

        await output.WriteLineAsync("(cold: new credential objects, empty caches, every hop on the wire; the first flow also pays the process's JIT warm-up)");
        if (results.Any(r => r.Outcome == "failed"))
        {
            await output.WriteLineAsync($"FAILED: {string.Join(", ", results.Where(r => r.Outcome == "failed").Select(r => r.Id))} (see the hop and the fix above).");
            return 1;
        }

        if (results.All(r => r.Outcome == "skipped"))
        {
            await output.WriteLineAsync("Nothing ran: the environment has none of the inputs the flows need (see --help).");
            return 2;
        }

        await output.WriteLineAsync($"OK: {string.Join(", ", results.Where(r => r.Outcome == "ok").Select(r => r.Id))} succeeded{(results.Any(r => r.Outcome == "skipped") ? $"; skipped {string.Join(", ", results.Where(r => r.Outcome == "skipped").Select(r => r.Id))}" : string.Empty)}.");
        return 0;
    }

    /// <summary>Runs every flow and prints each one's trace as it completes.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="output">Where the trace goes.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One result per flow.</returns>
    public static async Task<IReadOnlyList<FlowResult>> RunAndPrintAsync(QuickstartSettings settings, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteLineAsync($"mode: {settings.Mode}");
        foreach (string line in settings.Layout)
        {
            await output.WriteLineAsync("  " + line);
        }

        var results = new List<FlowResult>();
        foreach (Flow flow in Flows.All)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"{flow.Id} · {flow.Title} ({flow.Seed})");
            using var context = new FlowContext(settings, cancellationToken);
            IReadOnlyList<string>? lines = null;
            Exception? error = null;
            try
            {
                lines = await flow.RunAsync(context);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Any failure is reported with its hop and the flows go on; only the user's Ctrl+C stops the run.
                error = e;
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(context.StartedAt);
            IReadOnlyList<HopRecord> all = context.Trace.Drain();
            IReadOnlyList<HopRecord> prelude = [.. all.Take(context.PreludeHops)];
            IReadOnlyList<HopRecord> hops = [.. all.Skip(context.PreludeHops)];
            if (lines is null && error is null)
            {
                await output.WriteLineAsync($"   skipped: {flow.SkipReason}");
                results.Add(new FlowResult(flow.Id, "skipped", TimeSpan.Zero, [], null));
                continue;
            }

            if (prelude.Count > 0)
            {
                await output.WriteLineAsync("   context (not timed):");
                await PrintHopsAsync(output, prelude, "   ");
            }

            await PrintHopsAsync(output, hops, string.Empty);
            if (error is not null)
            {
                await output.WriteLineAsync($"   ✗ {flow.Id} failed: {Describe(error)}");
                results.Add(new FlowResult(flow.Id, "failed", elapsed, hops, error));
                continue;
            }

            foreach (string line in lines!)
            {
                await output.WriteLineAsync("   → " + line);
            }

            await output.WriteLineAsync($"   ✓ {flow.Id} cold end-to-end {Ms(elapsed)} over {hops.Count} network hops");
            results.Add(new FlowResult(flow.Id, "ok", elapsed, hops, null));
        }

        return results;
    }

    private static async Task PrintHopsAsync(TextWriter output, IReadOnlyList<HopRecord> hops, string indent)
    {
        int n = 0;
        foreach (HopRecord hop in hops)
        {
            n++;
            await output.WriteLineAsync($"{indent}   {n}. {hop.Hop}   [{Ms(hop.Elapsed)}{(hop.ExpiresOn is { } e ? $", expires {Flows.Time(e)}" : string.Empty)}]");
            await output.WriteLineAsync($"{indent}        presented: {hop.Presented}");
            await output.WriteLineAsync($"{indent}        {(hop.Succeeded ? "became:   " : "answer:   ")} {hop.Became}");
        }
    }

    private static string Describe(Exception error) => error switch
    {
        CredentialRequestFailedException a => $"{a.GetType().Name} (ErrorCode {a.ErrorCode ?? "-"}, HTTP {(a.StatusCode is { } s ? (int)s : 0)}{(a.IsTransient ? ", transient" : string.Empty)}): {a.Message}",
        CrossCloudAuthException c => $"{c.GetType().Name}: {c.Message}",
        AmazonServiceException a => $"AWS {a.ErrorCode} ({(int)a.StatusCode}): {a.Message}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private static string Ms(TimeSpan elapsed) => elapsed.TotalMilliseconds >= 1000
        ? $"{elapsed.TotalSeconds:0.00} s"
        : $"{elapsed.TotalMilliseconds:0.0} ms";

    private const string Help = """
        CrossCloudAuth quickstart: flows F1–F5 hop by hop.

          dotnet run --project samples/Quickstart            against the local verifying emulator (default)
          dotnet run --project samples/Quickstart -- --real  against real AWS and Google Cloud (or CROSSCLOUDAUTH_REAL=1)

        With --real, each flow runs when its inputs are present in the process environment:
          F1  GOOGLE_APPLICATION_CREDENTIALS (file/url-sourced external_account) + CROSSCLOUDAUTH_GCS_BUCKET
          F2  GOOGLE_APPLICATION_CREDENTIALS (aws1 external_account, on EC2) + CROSSCLOUDAUTH_BIGQUERY_PROJECT [+ CROSSCLOUDAUTH_BIGQUERY_QUERY]
          F3  CROSSCLOUDAUTH_AWS_PROFILE (e.g. target-env from ~/.aws/config) [+ CROSSCLOUDAUTH_EKS_CLUSTER]
          F4  AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE [+ AWS_ROLE_SESSION_NAME]
          F5  CROSSCLOUDAUTH_AWS_PROFILE + CROSSCLOUDAUTH_F5_CREDENTIALS (aws1 file of the target account's provider) + CROSSCLOUDAUTH_F5_BUCKET
        AWS_REGION selects the region (default us-east-1). Exit code 0: every flow that ran succeeded; 1: one failed; 2: none could run.
        """;
}

/// <summary>Settings for <c>--real</c>: the process's own environment, resources named by <c>CROSSCLOUDAUTH_*</c> variables.</summary>
public static class RealSettings
{
    /// <summary>Reads the settings from the process environment.</summary>
    /// <returns>The settings.</returns>
    public static QuickstartSettings FromProcessEnvironment()
    {
        static string? Var(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        string? profile = Var("CROSSCLOUDAUTH_AWS_PROFILE");
        ISystemEnvironment env = SystemEnvironment.Instance;
        return new QuickstartSettings
        {
            Mode = "real (process environment)",
            F1Environment = env,
            F2Environment = env,
            F3Environment = profile is null ? null : env,
            F4Environment = env,
            F5CredentialFile = profile is null ? null : Var("CROSSCLOUDAUTH_F5_CREDENTIALS"),
            AwsProfile = profile ?? "target-env",
            EksCluster = Var("CROSSCLOUDAUTH_EKS_CLUSTER"),
            Region = Var("AWS_REGION") ?? Var("AWS_DEFAULT_REGION") ?? "us-east-1",
            F1Bucket = Var("CROSSCLOUDAUTH_GCS_BUCKET"),
            F2Project = Var("CROSSCLOUDAUTH_BIGQUERY_PROJECT"),
            F2Query = Var("CROSSCLOUDAUTH_BIGQUERY_QUERY") ?? "SELECT 1 AS one",
            F5Bucket = Var("CROSSCLOUDAUTH_F5_BUCKET"),
            Layout = [$"GOOGLE_APPLICATION_CREDENTIALS={Var("GOOGLE_APPLICATION_CREDENTIALS") ?? "(unset)"} · CROSSCLOUDAUTH_AWS_PROFILE={profile ?? "(unset)"} · AWS_ROLE_ARN={Var("AWS_ROLE_ARN") ?? "(unset)"}"],
        };
    }
}
