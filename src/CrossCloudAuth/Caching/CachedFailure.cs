namespace CrossCloudAuth.Caching;

/// <summary>
/// How <see cref="RefreshAheadCache{TCredential}"/> hands a failed refresh to its callers. The failure is kept once
/// and never thrown again; every caller gets a fresh copy, thrown once.
/// </summary>
/// <remarks>
/// Throwing one exception object from many calls appends every throw's stack to it: an outage read a few thousand
/// times would grow it to megabytes and let every caller race on its stack trace. A copy per caller keeps each
/// caller's exception as large as the first one, whatever the number of callers before it.
/// </remarks>
internal static class CachedFailure
{
    /// <summary>Turns what a refresh caught into the failure the cache records: the library's own exceptions as they
    /// are, anything else (a custom source's exception, a bug) wrapped in a transient
    /// <see cref="CredentialRequestFailedException"/> that names the hop and keeps the original as its inner exception.</summary>
    /// <param name="error">What the refresh caught.</param>
    /// <param name="hopName">The hop whose refresh failed.</param>
    /// <returns>The failure to record.</returns>
    public static Exception Normalize(Exception error, string hopName) => error switch
    {
        CrossCloudAuthException => error,
        ObjectDisposedException => error,

        // The type, never the message: a custom source's message is not known to be free of secrets. Transient,
        // because the cache retries it after the backoff anyway.
        _ => new CredentialRequestFailedException(
            hopName,
            $"The credential source failed with {error.GetType().FullName}; the cache retries it after a backoff. See the inner exception, and fix the source or the service it calls.",
            isTransient: true,
            innerException: error),
    };

    /// <summary>Creates the exception one caller gets for a recorded failure: of the same type, with the same hop,
    /// message, status, error code and transience, and the recorded failure as its inner exception.</summary>
    /// <param name="recorded">The recorded failure (see <see cref="Normalize"/>); never thrown itself.</param>
    /// <returns>A new exception, never thrown before.</returns>
    public static Exception ForCaller(Exception recorded) => recorded switch
    {
        CredentialRequestFailedException failed => new CredentialRequestFailedException(
            failed.HopName, MessageOf(failed), failed.StatusCode, failed.ErrorCode, failed.IsTransient, failed),
        CredentialSourceUnavailableException unavailable => new CredentialSourceUnavailableException(
            unavailable.HopName, MessageOf(unavailable), unavailable),
        CredentialConfigurationException configuration => new CredentialConfigurationException(
            configuration.HopName, MessageOf(configuration), configuration),
        ObjectDisposedException disposed => new ObjectDisposedException(disposed.Message, disposed.InnerException),

        // Normalize lets nothing else through; should it ever, still never rethrow the recorded object.
        CrossCloudAuthException other => new CredentialRequestFailedException(other.HopName, MessageOf(other), innerException: other),
        _ => new InvalidOperationException(recorded.GetType().FullName, recorded),
    };

    /// <summary>The message as the exception's creator wrote it, without the <c>[hop] </c> prefix the base class adds
    /// (and would add again).</summary>
    private static string MessageOf(CrossCloudAuthException error)
    {
        string message = error.Message;
        string prefix = "[" + error.HopName + "] ";
        return message.StartsWith(prefix, StringComparison.Ordinal) && message.Length > prefix.Length
            ? message[prefix.Length..]
            : message;
    }
}
