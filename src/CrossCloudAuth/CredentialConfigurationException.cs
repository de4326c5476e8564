namespace CrossCloudAuth;

/// <summary>
/// A configuration is invalid: a credential file is malformed, a field is missing or of the wrong type, an
/// endpoint is not allowed. Retrying does not help; the message names the field and the fix.
/// </summary>
public sealed class CredentialConfigurationException : CrossCloudAuthException
{
    /// <summary>Initializes a new instance of the <see cref="CredentialConfigurationException"/> class.</summary>
    /// <param name="hopName">The hop (or configuration source) that is invalid.</param>
    /// <param name="message">Which setting is wrong and how to fix it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CredentialConfigurationException(string hopName, string message, Exception? innerException = null)
        : base(hopName, message, innerException)
    {
    }
}
