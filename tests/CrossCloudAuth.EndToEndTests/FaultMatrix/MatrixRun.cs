using CrossCloudAuth.Testing.Faults;

namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>Runs one hop once under an injected fault and names the outcome the way the matrix table does.</summary>
internal static class MatrixRun
{
    /// <summary>
    /// Calls the hop; while the fault holds a request, moves both clocks past the hop's deadline each time the
    /// emulator reports the fault applied again (one per attempt), so no test waits on real time.
    /// </summary>
    public static async Task<(string Outcome, CrossCloudAuthException? Error)> OutcomeAsync(MatrixWorld world, MatrixHop hop, FaultRule? rule, bool holdsRequest)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<DateTimeOffset?> call = hop.InvokeAsync(world, bound.Token);
        if (holdsRequest && rule is not null)
        {
            for (int attempt = 1; ; attempt++)
            {
                Task applied = rule.WaitForAppliedAsync(attempt, bound.Token);
                if (await Task.WhenAny(call, applied) == call)
                {
                    break;
                }

                world.Advance(MatrixWorld.LongestDeadline + TimeSpan.FromSeconds(1));
            }
        }

        try
        {
            DateTimeOffset? expiresOn = await call;
            return (expiresOn is { } at && at <= world.LibraryClock.GetUtcNow() ? "ok:expired" : "ok", null);
        }
        catch (CredentialRequestFailedException error)
        {
            return ("auth-failed:" + (error.IsTransient ? "transient" : "permanent"), error);
        }
        catch (CredentialSourceUnavailableException error)
        {
            return ("unavailable", error);
        }
        catch (CredentialConfigurationException error)
        {
            return ("configuration", error);
        }
    }
}
