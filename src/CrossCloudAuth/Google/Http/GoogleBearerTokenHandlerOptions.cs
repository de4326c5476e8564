namespace CrossCloudAuth.Google;

/// <summary>Settings of a <see cref="GoogleBearerTokenHandler"/>.</summary>
public sealed class GoogleBearerTokenHandlerOptions
{
    /// <summary>Gets or sets the project billed for API calls, sent as <c>x-goog-user-project</c>. Default: the
    /// credential's quota project (<c>quota_project_id</c>), if any.</summary>
    public string? QuotaProjectId { get; set; }

    /// <summary>Gets or sets a value indicating whether tokens may go over plain http to a loopback address (a local
    /// emulator). Default: <see langword="false"/>: tokens only go over https.</summary>
    public bool AllowHttpToLoopback { get; set; }
}
