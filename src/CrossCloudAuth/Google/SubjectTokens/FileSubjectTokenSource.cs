using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Google;

/// <summary>
/// Reads the subject token from a file on every call: a Kubernetes projected service-account token
/// (<c>/var/run/secrets/eks.amazonaws.com/serviceaccount/token</c> with IRSA), or any file an agent keeps
/// current. <c>credential_source.file</c> in a credential configuration file.
/// </summary>
/// <remarks>The file is re-read for every exchange because the kubelet rotates projected tokens and Google rejects
/// a reused old token as stale. Its content never appears in an error or a log. This type is thread-safe.</remarks>
public sealed class FileSubjectTokenSource : ISubjectTokenSource
{
    private readonly ISystemEnvironment _environment;
    private readonly SubjectTokenFormat _format;

    /// <summary>Initializes a new instance of the <see cref="FileSubjectTokenSource"/> class.</summary>
    /// <param name="path">The token file's path.</param>
    /// <param name="subjectTokenType">The token's RFC 8693 type; see <see cref="SubjectTokenTypes"/>.</param>
    /// <param name="format">How the token sits in the file; <see cref="SubjectTokenFormat.Text"/> when <see langword="null"/>.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> or <paramref name="subjectTokenType"/> is null or empty.</exception>
    public FileSubjectTokenSource(
        string path,
        string subjectTokenType,
        SubjectTokenFormat? format = null,
        CredentialContext? context = null)
        : this(path, subjectTokenType, context?.Environment, format)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal FileSubjectTokenSource(string path, string subjectTokenType, ISystemEnvironment? environment, SubjectTokenFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(subjectTokenType);
        Path = path;
        SubjectTokenType = subjectTokenType;
        _format = format ?? SubjectTokenFormat.Text;
        _environment = environment ?? SystemEnvironment.Instance;
        HopName = $"file:{path}";
    }

    /// <summary>Gets the token file's path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string HopName { get; }

    /// <inheritdoc />
    public string SubjectTokenType { get; }

    /// <inheritdoc />
    public async ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default)
    {
        byte[] content;
        try
        {
            content = await _environment.ReadFileAsync(Path, GoogleDefaults.MaxSubjectTokenBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CredentialSourceUnavailableException(HopName, "The subject token file does not exist. On EKS with IRSA, check that the pod's service account carries the eks.amazonaws.com/role-arn annotation and that the pod was restarted after it was added; otherwise fix credential_source.file.", error);
        }
        catch (UnauthorizedAccessException error)
        {
            throw new CredentialSourceUnavailableException(HopName, "The process may not read the subject token file. Check the file's permissions and the pod's securityContext (fsGroup).", error);
        }
        catch (InvalidDataException error)
        {
            throw new CredentialConfigurationException(HopName, $"The subject token file is larger than {GoogleDefaults.MaxSubjectTokenBytes} bytes: it is not a token file. Check credential_source.file.", error);
        }
        catch (IOException error)
        {
            throw new CredentialSourceUnavailableException(HopName, $"The subject token file could not be read: {error.GetType().Name}.", error);
        }

        return _format.Extract(content, HopName, "subject token file");
    }
}
