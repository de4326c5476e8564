namespace CrossCloudAuth.Google;

/// <summary>Where the subject token of an <c>external_account</c> configuration comes from.</summary>
public enum CredentialSourceKind
{
    /// <summary>A file re-read for every exchange (<c>credential_source.file</c>).</summary>
    File,

    /// <summary>A GET request (<c>credential_source.url</c> with optional <c>headers</c>).</summary>
    Url,

    /// <summary>AWS credentials serialized as a signed <c>GetCallerIdentity</c> request (<c>environment_id: aws1</c>).</summary>
    Aws,

    /// <summary>A program following the executable-sourced credential protocol (<c>credential_source.executable</c>).</summary>
    Executable,
}
