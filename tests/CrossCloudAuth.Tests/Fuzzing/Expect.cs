using Xunit.Sdk;

namespace CrossCloudAuth.Tests.Fuzzing;

/// <summary>
/// The properties every parser keeps, whatever it is fed: only the library's documented exceptions escape (a
/// <see cref="CrossCloudAuthException"/>, or a type the method documents), an error message is of constant size and
/// quotes no secret, and a parse allocates at most a constant multiple of its input.
/// </summary>
internal static class Expect
{
    /// <summary>The longest message an exception may carry, whatever the input's size (the longest fix texts are about 1 KB).</summary>
    public const int MaxMessageChars = 2_500;

    /// <summary>Runs a synchronous parse; returns whether it produced a value. Also bounds what it allocates.</summary>
    public static bool Parses<T>(Func<T> parse, int inputLength, out T? value, IReadOnlyCollection<string>? secrets = null, params Type[] documented)
    {
        value = default;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            value = parse();
            return true;
        }
        catch (Exception error)
        {
            Documented(error, secrets, documented);
            return false;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long budget = (64L * inputLength) + (4L * 1024 * 1024);
            if (allocated > budget)
            {
                throw new XunitException($"The parse of {inputLength} bytes allocated {allocated} bytes (budget {budget}): work is not linear in the input.");
            }
        }
    }

    /// <summary>Runs an asynchronous parse; returns the value, or <see langword="default"/> after a documented error.</summary>
    public static async Task<(bool Ok, T? Value)> ParsesAsync<T>(Func<Task<T>> parse, IReadOnlyCollection<string>? secrets = null, params Type[] documented)
    {
        try
        {
            return (true, await parse());
        }
        catch (Exception error)
        {
            Documented(error, secrets, documented);
            return (false, default);
        }
    }

    /// <summary>Fails unless <paramref name="error"/> is one the library documents, with a bounded, secret-free message.</summary>
    public static void Documented(Exception error, IReadOnlyCollection<string>? secrets = null, params Type[] documented)
    {
        if (error is CrossCloudAuthException ours)
        {
            if (ours.Message.Length > MaxMessageChars)
            {
                throw new XunitException($"{ours.GetType().Name} has a {ours.Message.Length}-character message (at most {MaxMessageChars}): it quotes unbounded input. Start: {ours.Message[..200]}");
            }

            string everything = ours.ToString();
            foreach (string secret in secrets ?? [])
            {
                int at = everything.IndexOf(secret, StringComparison.Ordinal);
                if (at >= 0)
                {
                    int start = Math.Max(0, at - 200);
                    throw new XunitException($"{ours.GetType().Name} quotes a secret from the input: …{everything[start..Math.Min(everything.Length, at + secret.Length + 50)]}");
                }
            }

            return;
        }

        if (!documented.Any(type => type.IsInstanceOfType(error)))
        {
            throw new XunitException($"Undocumented {error.GetType().FullName} escaped: {error.Message}", error);
        }
    }
}
