namespace CrossCloudAuth;

/// <summary>
/// The credential a hop needs does not exist in this environment: the variable is unset, the token file is
/// missing, the host is not an EC2 instance. A chain of sources may try the next one; nothing was rejected.
/// </summary>
public sealed class CredentialSourceUnavailableException : CrossCloudAuthException
{
    /// <summary>Initializes a new instance of the <see cref="CredentialSourceUnavailableException"/> class.</summary>
    /// <param name="hopName">The hop whose credential is missing.</param>
    /// <param name="message">What is missing and how to provide it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CredentialSourceUnavailableException(string hopName, string message, Exception? innerException = null)
        : base(hopName, message, innerException)
    {
    }
}
