namespace CrossCloudAuth.Testing.Faults;

/// <summary>
/// Injects faults into the emulator's endpoints: errors, throttling with <c>Retry-After</c>, delays, hangs,
/// malformed / truncated / oversized / endless bodies, a wrong content type, dropped and reset connections,
/// and credentials whose expiry is rewritten (already expired, missing, huge), for the next N calls or a
/// fraction of calls. Rules are checked in the order they were added; the first that matches and fires wins.
/// Thread-safe; rules can be added and removed while requests are in flight.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _rules = [];
    private Random _random = new();

    internal FaultInjector()
    {
    }

    /// <summary>Gets the rules currently registered.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Registers a fault for requests to <paramref name="service"/>.</summary>
    /// <param name="service">The service whose requests get the fault.</param>
    /// <param name="fault">The fault to inject.</param>
    /// <param name="times">Apply it to the next <paramref name="times"/> matching requests only; <see langword="null"/> for every one.</param>
    /// <param name="probability">The fraction (0–1] of matching requests that get it; see <see cref="UseSeed"/> for repeatable runs.</param>
    /// <param name="pathContains">Only requests whose path contains this text, e.g. <c>/security-credentials/</c> or <c>:generateAccessToken</c>.</param>
    /// <returns>The rule, to inspect or remove later.</returns>
    public FaultRule Add(EmulatedService service, Fault fault, int? times = null, double probability = 1.0, string? pathContains = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (times is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(times), times, "Give a positive number of calls, or null for every call.");
        }

        if (probability is <= 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Give a fraction in (0, 1].");
        }

        var rule = new FaultRule(this, service, fault, times, probability, pathContains);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Seeds the random choice of probabilistic rules so a test run repeats exactly.</summary>
    /// <param name="seed">The seed.</param>
    public void UseSeed(int seed)
    {
        lock (_gate)
        {
#pragma warning disable CA5394 // Fault sampling, not security.
            _random = new Random(seed);
#pragma warning restore CA5394
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal void Remove(FaultRule rule)
    {
        lock (_gate)
        {
            _rules.Remove(rule);
        }
    }

    internal Fault? Next(EmulatedService service, string path)
    {
        lock (_gate)
        {
            foreach (FaultRule rule in _rules)
            {
                if (!rule.Matches(service, path))
                {
                    continue;
                }

#pragma warning disable CA5394 // Fault sampling, not security.
                if (rule.Probability < 1 && _random.NextDouble() >= rule.Probability)
#pragma warning restore CA5394
                {
                    continue;
                }

                if (rule.TryClaim())
                {
                    return rule.Fault;
                }
            }
        }

        return null;
    }
}
