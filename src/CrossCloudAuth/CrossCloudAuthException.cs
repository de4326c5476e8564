namespace CrossCloudAuth;

/// <summary>
/// The base of every error this library raises. Each names the hop that failed; none carries a token,
/// key or signature in its message.
/// </summary>
public abstract class CrossCloudAuthException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="CrossCloudAuthException"/> class.</summary>
    /// <param name="hopName">The hop that failed, such as <c>google-sts</c>.</param>
    /// <param name="message">What happened and what to do about it. Must not contain a secret.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    protected CrossCloudAuthException(string hopName, string message, Exception? innerException = null)
        : base(ComposeMessage(hopName, message), innerException)
    {
        HopName = hopName;
    }

    /// <summary>Gets the name of the hop that failed.</summary>
    public string HopName { get; }

    private static string ComposeMessage(string hopName, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(hopName);
        ArgumentException.ThrowIfNullOrEmpty(message);
        return $"[{hopName}] {message}";
    }
}
