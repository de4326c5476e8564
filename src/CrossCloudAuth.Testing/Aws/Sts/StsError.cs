using System.Net;

namespace CrossCloudAuth.Testing.Aws.Sts;

/// <summary>An AWS Query-protocol error: HTTP status, <c>Code</c> and <c>Message</c> as AWS words them.</summary>
internal sealed record StsError(HttpStatusCode Status, string Code, string Message, string Type = "Sender")
{
    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public static StsError InvalidClientTokenId() =>
        new(HttpStatusCode.Forbidden, "InvalidClientTokenId", "The security token included in the request is invalid.");

    public static StsError ExpiredToken() =>
        new(HttpStatusCode.Forbidden, "ExpiredToken", "The security token included in the request is expired");

    public static StsError SignatureDoesNotMatch(string? message = null) =>
        new(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", message ?? SignatureMismatchMessage);

    public static StsError IncompleteSignature(string message) =>
        new(HttpStatusCode.BadRequest, "IncompleteSignature", message);

    public static StsError MissingAuthenticationToken() =>
        new(HttpStatusCode.Forbidden, "MissingAuthenticationToken", "Request is missing Authentication Token");

    public static StsError AccessDenied(string message) => new(HttpStatusCode.Forbidden, "AccessDenied", message);

    public static StsError Validation(string message) => new(HttpStatusCode.BadRequest, "ValidationError", message);

    public static StsError MissingParameter(string name) =>
        new(HttpStatusCode.BadRequest, "MissingParameter", $"The request must contain the parameter {name}");

    public static StsError InvalidIdentityToken(string message) => new(HttpStatusCode.BadRequest, "InvalidIdentityToken", message);
}
