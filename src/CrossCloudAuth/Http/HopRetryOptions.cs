namespace CrossCloudAuth.Http;

/// <summary>
/// How a credential hop (instance metadata, a container endpoint, AWS STS, Google STS, IAM Credentials) retries a
/// failed attempt: at most <see cref="MaxAttempts"/> attempts, waiting a jittered exponential backoff between them
/// (starting near <see cref="BaseDelay"/>, never more than <see cref="MaxDelay"/>), or the server's
/// <c>Retry-After</c> when it sends one (also capped at <see cref="MaxDelay"/>).
/// </summary>
/// <remarks>
/// <para>Only failures that a later attempt may fix are retried: server errors (5xx), throttling (429, and AWS's
/// <c>Throttling</c> codes), 408, connection failures and attempts that missed their deadline. A definitive answer
/// (400, 401, 403, 404, a malformed or oversized body) is not retried.</para>
/// <para>Every wait runs on the <see cref="TimeProvider"/> the hop was given. With a per-attempt deadline <c>T</c>, a hop
/// takes at most <c>MaxAttempts × T + (MaxAttempts − 1) × MaxDelay</c>: with the defaults and a 30-second deadline,
/// 3 × 30 s + 2 × 5 s = 100 s.</para>
/// <para>An instance of this class is read once, when the hop is built; later changes have no effect on it.</para>
/// </remarks>
public sealed class HopRetryOptions
{
    /// <summary>The largest <see cref="MaxAttempts"/> accepted.</summary>
    public const int MaxAttemptsLimit = 10;

    /// <summary>Gets or sets how many attempts a hop makes in all, the first included; 1 turns retries off.
    /// Default: 3. Accepted: 1 to <see cref="MaxAttemptsLimit"/>.</summary>
    public int MaxAttempts { get; set; } = HopRetryDefaults.MaxAttempts;

    /// <summary>Gets or sets the scale of the first backoff; later ones grow exponentially, with jitter.
    /// Default: 200 milliseconds. Accepted: zero (no wait) up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = HopRetryDefaults.BaseDelay;

    /// <summary>Gets or sets the longest wait between two attempts, which also caps a server's <c>Retry-After</c>.
    /// Default: 5 seconds. Accepted: <see cref="BaseDelay"/> up to 1 minute.</summary>
    public TimeSpan MaxDelay { get; set; } = HopRetryDefaults.MaxDelay;

    /// <summary>Checks the values and returns a copy that later changes to this instance do not affect.</summary>
    /// <exception cref="CredentialConfigurationException">A value is out of range.</exception>
    internal HopRetryOptions Validated(string hopName)
    {
        if (MaxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw new CredentialConfigurationException(hopName, $"Retry.MaxAttempts is {MaxAttempts}; use 1 (no retry) to {MaxAttemptsLimit}.");
        }

        if (MaxDelay < TimeSpan.Zero || MaxDelay > HopRetryDefaults.MaxDelayLimit)
        {
            throw new CredentialConfigurationException(hopName, $"Retry.MaxDelay is {MaxDelay}; use zero to {HopRetryDefaults.MaxDelayLimit.TotalSeconds:0} seconds.");
        }

        if (BaseDelay < TimeSpan.Zero || BaseDelay > MaxDelay)
        {
            throw new CredentialConfigurationException(hopName, $"Retry.BaseDelay is {BaseDelay}; use zero up to Retry.MaxDelay ({MaxDelay}).");
        }

        return new HopRetryOptions { MaxAttempts = MaxAttempts, BaseDelay = BaseDelay, MaxDelay = MaxDelay };
    }
}
