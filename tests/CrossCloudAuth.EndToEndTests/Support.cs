using System.Text.RegularExpressions;
using CrossCloudAuth.Samples.Quickstart;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>Runs one flow of the quickstart against a world and keeps its trace.</summary>
internal static class Run
{
    public static async Task<(IReadOnlyList<string> Lines, IReadOnlyList<HopRecord> Hops)> FlowAsync(EmulatedWorld world, Func<FlowContext, Task<IReadOnlyList<string>?>> flow)
    {
        using var context = new FlowContext(world.Settings, TestContext.Timeout);
        IReadOnlyList<string>? lines = await flow(context);
        Assert.NotNull(lines);
        return (lines!, context.Trace.Drain());
    }

    public static async Task<TException> FailingFlowAsync<TException>(EmulatedWorld world, Func<FlowContext, Task<IReadOnlyList<string>?>> flow)
        where TException : CrossCloudAuthException
    {
        using var context = new FlowContext(world.Settings, TestContext.Timeout);
        return await Assert.ThrowsAnyAsync<TException>(() => flow(context));
    }
}

internal static class TestContext
{
    /// <summary>Bounds every flow: the emulator answers in milliseconds, a hang is a failure.</summary>
    public static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}

/// <summary>Checks on the errors users see.</summary>
internal static partial class Errors
{
    /// <summary>Asserts the message starts with the hop, names it, and carries no token, key or signature.</summary>
    public static void AssertActionable(CrossCloudAuthException error, string hopFragment, params string[] secrets)
    {
        Assert.Contains(hopFragment, error.HopName, StringComparison.Ordinal);
        Assert.StartsWith($"[{error.HopName}]", error.Message, StringComparison.Ordinal);
        // Stack frames' source locations are code, not data: a checkout path of exactly 40 path characters would
        // otherwise look like an AWS secret key to the check below.
        AssertNoSecrets(SourceLocation().Replace(error.ToString(), string.Empty), secrets);
    }

    public static void AssertNoSecrets(string text, params string[] secrets)
    {
        foreach (string secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            // Nor the signature part of a JWT on its own.
            if (secret.Count(c => c == '.') == 2)
            {
                Assert.DoesNotContain(secret[(secret.LastIndexOf('.') + 1)..], text, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotMatch(Jwt(), text);
        Assert.DoesNotContain("Signature=", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz-Signature", text, StringComparison.OrdinalIgnoreCase);
        // Stack frames name source files, whose paths can look like a 40-character key; no secret lives there.
        string withoutFrames = string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("at ", StringComparison.Ordinal)));
        Assert.DoesNotMatch(AwsSecret(), withoutFrames);
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")]
    private static partial Regex AwsSecret();

    [GeneratedRegex(@" in \S+:line \d+")]
    private static partial Regex SourceLocation();
}

/// <summary>A clock that runs ahead of (or behind) the real one: a host whose clock is skewed.</summary>
internal sealed class SkewedTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
