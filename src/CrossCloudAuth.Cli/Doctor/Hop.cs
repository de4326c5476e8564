namespace CrossCloudAuth.Cli.Doctor;

/// <summary>One hop of the walk: what was presented, what came back, how long it took.</summary>
internal sealed class Hop
{
    /// <summary>Gets the hop's name (<c>google-sts:token-exchange</c>, <c>aws-sts:AssumeRole(ARN)</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>Gets what was presented (never a secret: claims, identities, scopes).</summary>
    public required string Presented { get; init; }

    /// <summary>Gets what came back: an identity, a lifetime, or the service's error.</summary>
    public required string Result { get; init; }

    /// <summary>Gets a value indicating whether the hop succeeded.</summary>
    public required bool Ok { get; init; }

    /// <summary>Gets the HTTP status, or 0 for a hop that is not an HTTP call (a file, a check) or got no answer.</summary>
    public int Status { get; init; }

    /// <summary>Gets the hop's duration.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets when what came back expires, if it does.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>Gets the service's clock (its <c>Date</c> header), for the skew check.</summary>
    public DateTimeOffset? ServerDate { get; init; }

    /// <summary>Gets the service's error code (<c>invalid_grant</c>, <c>AccessDenied</c>, <c>PERMISSION_DENIED</c>) on a failure.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Gets the service's error message on a failure (shortened; never a secret).</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Gets details worth a line each (claims, identities).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
}

/// <summary>Why the walk stopped and what to do.</summary>
/// <param name="Pitfall">A stable identifier of the pitfall (<c>google-wrong-audience</c>, ...), for scripts and tests.</param>
/// <param name="Cause">The probable cause, in one or two sentences.</param>
/// <param name="Fix">What to change, with the exact command where there is one.</param>
internal sealed record Diagnosis(string Pitfall, string Cause, string Fix);

/// <summary>The doctor's whole report.</summary>
internal sealed class DoctorReport
{
    /// <summary>Gets what discovery found, as labelled lines.</summary>
    public List<KeyValuePair<string, string>> Discovered { get; } = [];

    /// <summary>Gets the hops walked, in order.</summary>
    public List<Hop> Hops { get; } = [];

    /// <summary>Gets warnings about pitfalls the walk met but the library worked around (the AWS CLI or another SDK
    /// would not), such as a chained role asked for more than an hour, or a clock that drifts.</summary>
    public List<Diagnosis> Notes { get; } = [];

    /// <summary>Gets or sets the hop where the walk stopped, or <see langword="null"/> when every hop succeeded.</summary>
    public string? StoppedAt { get; set; }

    /// <summary>Gets or sets the diagnosis of the stop.</summary>
    public Diagnosis? Diagnosis { get; set; }

    /// <summary>Gets or sets the one-line summary of a healthy walk (who the workload ends up as, for how long).</summary>
    public string? Summary { get; set; }

    /// <summary>Gets or sets the total duration of the walk.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Gets a value indicating whether every hop succeeded.</summary>
    public bool Healthy => StoppedAt is null;
}
