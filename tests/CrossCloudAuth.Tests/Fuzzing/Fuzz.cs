using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CsCheck;
using Xunit.Sdk;

namespace CrossCloudAuth.Tests.Fuzzing;

/// <summary>
/// Runs a property over generated inputs. Deterministic by default: every property draws its cases from a seed derived
/// from its own name, so a failure reproduces on every machine. <c>CROSSCLOUDAUTH_FUZZ_ITERATIONS</c> multiplies the
/// number of cases (for a long exploratory run) and <c>CROSSCLOUDAUTH_FUZZ_SEED</c> (an unsigned integer) changes the
/// seed; a failure names the seed and the case to replay.
/// </summary>
internal static class Fuzz
{
    public const string IterationsVariable = "CROSSCLOUDAUTH_FUZZ_ITERATIONS";
    public const string SeedVariable = "CROSSCLOUDAUTH_FUZZ_SEED";

    private static readonly int s_multiplier = ReadMultiplier();
    private static readonly ulong? s_seed = ReadSeed();

    /// <summary>Gets the number of cases a property with <paramref name="baseCount"/> default cases runs.</summary>
    public static int Cases(int baseCount) => checked(baseCount * s_multiplier);

    /// <summary>Checks <paramref name="property"/> for <paramref name="baseCount"/> (times the multiplier) inputs.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, int baseCount, Func<T, string>? print = null, [CallerMemberName] string name = "")
    {
        ulong seed = s_seed ?? StableHash(name);
        int cases = Cases(baseCount);
        for (int i = 0; i < cases; i++)
        {
            T input = Generate(gen, seed, i);
            try
            {
                property(input);
            }
            catch (Exception error)
            {
                throw Failure(name, seed, i, Describe(input, print), error);
            }
        }
    }

    /// <summary>Checks an asynchronous <paramref name="property"/>, one case at a time.</summary>
    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, int baseCount, Func<T, string>? print = null, [CallerMemberName] string name = "")
    {
        ulong seed = s_seed ?? StableHash(name);
        int cases = Cases(baseCount);
        for (int i = 0; i < cases; i++)
        {
            T input = Generate(gen, seed, i);
            try
            {
                await property(input);
            }
            catch (Exception error)
            {
                throw Failure(name, seed, i, Describe(input, print), error);
            }
        }
    }

    /// <summary>Draws one value from a fixed seed (for tests that need a single deterministic sample).</summary>
    public static T One<T>(Gen<T> gen, ulong seed) => Generate(gen, seed, 0);

    private static T Generate<T>(Gen<T> gen, ulong seed, int index) =>
        gen.Generate(new PCG((uint)index * 2 + 1, seed + (ulong)index * 0x9E3779B97F4A7C15UL), null, out _);

    private static XunitException Failure(string name, ulong seed, int index, string input, Exception error) =>
        new($"{name} failed on case {index} (seed {seed}; replay with {SeedVariable}={seed}).{Environment.NewLine}Input: {input}{Environment.NewLine}{error.GetType().Name}: {error.Message}", error);

    private static string Describe<T>(T input, Func<T, string>? print)
    {
        string text = print is not null ? print(input)
            : input is byte[] bytes ? Printable(bytes)
            : input?.ToString() ?? "null";
        return text.Length <= 600 ? text : $"{text[..600]}… ({text.Length} characters)";
    }

    /// <summary>Renders bytes as text with non-printable bytes escaped, for failure messages.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        StringBuilder text = new();
        foreach (byte b in bytes[..Math.Min(bytes.Length, 600)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return bytes.Length <= 600 ? text.ToString() : $"{text}… ({bytes.Length} bytes)";
    }

    private static ulong StableHash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    private static int ReadMultiplier()
    {
        string? value = Environment.GetEnvironmentVariable(IterationsVariable);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int multiplier) && multiplier > 0 ? multiplier : 1;
    }

    private static ulong? ReadSeed()
    {
        string? value = Environment.GetEnvironmentVariable(SeedVariable);
        return ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) ? seed : null;
    }
}
