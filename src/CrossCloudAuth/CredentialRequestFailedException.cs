using System.Net;

namespace CrossCloudAuth;

/// <summary>
/// An upstream service (AWS STS, Google STS, IAM Credentials, instance metadata) rejected the request or
/// failed to answer it. <see cref="ErrorCode"/> carries the service's own code; the message quotes the
/// service's description (never a token) and names the likely fix.
/// </summary>
public sealed class CredentialRequestFailedException : CrossCloudAuthException
{
    /// <summary>Initializes a new instance of the <see cref="CredentialRequestFailedException"/> class.</summary>
    /// <param name="hopName">The hop that was rejected.</param>
    /// <param name="message">What the service said and what to do about it.</param>
    /// <param name="statusCode">The HTTP status, if a response arrived.</param>
    /// <param name="errorCode">The service's error code, such as <c>invalid_grant</c> or <c>AccessDenied</c>.</param>
    /// <param name="isTransient">Whether a later retry may succeed (throttling, 5xx, timeouts).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CredentialRequestFailedException(
        string hopName,
        string message,
        HttpStatusCode? statusCode = null,
        string? errorCode = null,
        bool isTransient = false,
        Exception? innerException = null)
        : base(hopName, message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        IsTransient = isTransient;
    }

    /// <summary>Gets the HTTP status of the rejecting response, if one arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the service's error code, such as <c>invalid_grant</c>, <c>PERMISSION_DENIED</c> or
    /// <c>AccessDenied</c>.</summary>
    public string? ErrorCode { get; }

    /// <summary>Gets a value indicating whether a later retry may succeed (throttling, server errors, timeouts).</summary>
    public bool IsTransient { get; }
}
