namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>One command line to run, bounded in time, in an environment scrubbed of cloud settings.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Variables to set; a null value removes an inherited one.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? WorkingDirectory { get; init; }

    /// <summary>Written to the process's standard input, which is then closed.</summary>
    public string? StandardInput { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Prefixes of inherited variables removed before <see cref="Environment"/> is applied, so that a developer's own
    /// AWS profile, Google credentials or gcloud configuration can never leak into (or be touched by) a test.
    /// </summary>
    public static IReadOnlyList<string> ScrubbedPrefixes { get; } = ["AWS_", "GOOGLE_", "CLOUDSDK_", "GCE_", "BOTO_"];

    public override string ToString() => FileName + " " + string.Join(' ', Arguments);
}
