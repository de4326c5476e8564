namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>One network hop as the trace shows it: what was presented, who the caller became, how long it took, when the result expires. Never a secret.</summary>
/// <param name="Hop">The hop, named like the library's hop names (<c>aws-sts:AssumeRole(arn)</c>, <c>google-sts:token-exchange</c>, …).</param>
/// <param name="Presented">What the caller presented (claims of a JWT, the kind of signature, the kind of token).</param>
/// <param name="Became">Who the caller became, or what the call returned.</param>
/// <param name="ExpiresOn">When the result expires, if it does.</param>
/// <param name="Elapsed">How long the call took.</param>
/// <param name="Status">The HTTP status.</param>
public sealed record HopRecord(string Hop, string Presented, string Became, DateTimeOffset? ExpiresOn, TimeSpan Elapsed, int Status)
{
    /// <summary>Gets a value indicating whether the service accepted the call.</summary>
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>Collects the hops of the flow being run; thread-safe.</summary>
public sealed class HopTrace
{
    private readonly List<HopRecord> _hops = [];
    private readonly Lock _gate = new();

    /// <summary>Gets or sets the AWS identity (assumed-role ARN) the last AWS STS answer named: what a later SigV4 signature stands for.</summary>
    public string? LastAwsIdentity { get; set; }

    /// <summary>Gets or sets the Google identity the last token stands for: what a later bearer token stands for.</summary>
    public string? LastGoogleIdentity { get; set; }

    /// <summary>Gets the number of hops recorded so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _hops.Count;
            }
        }
    }

    /// <summary>Records a hop.</summary>
    /// <param name="hop">The hop.</param>
    public void Add(HopRecord hop)
    {
        lock (_gate)
        {
            _hops.Add(hop);
        }
    }

    /// <summary>Returns the hops recorded so far and forgets them.</summary>
    /// <returns>The hops, in order.</returns>
    public IReadOnlyList<HopRecord> Drain()
    {
        lock (_gate)
        {
            HopRecord[] hops = [.. _hops];
            _hops.Clear();
            return hops;
        }
    }
}
