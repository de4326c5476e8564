using System.Net;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Turns what an STS call threw (<see cref="AwsStsClient"/>) into this library's exceptions: the hop, what STS said (its error code and
/// message, which never carry a secret), and the likely fix. The web identity token, keys and signatures are never
/// quoted.
/// </summary>
internal static class StsErrors
{
    /// <summary>The error code of a response larger than the cap.</summary>
    public const string ResponseTooLargeCode = "ResponseTooLarge";

    /// <summary>Maps what an STS call threw to the library's exception, naming the hop and the fix.</summary>
    /// <param name="error">What the call (or the network) threw.</param>
    /// <param name="operation">The STS operation that failed.</param>
    /// <param name="hopName">The hop, named in the message.</param>
    /// <param name="endpoint">The STS endpoint, as described to the user.</param>
    /// <param name="sourceHopName">For AssumeRole: the hop that supplied the calling credentials.</param>
    /// <param name="sentToken">The web identity token the call sent, if any: when STS (or whatever answered for it) quotes
    /// it back, none of its answer is quoted and the SDK exception is not attached.</param>
    /// <returns>The library's exception.</returns>
    public static CrossCloudAuthException Map(Exception error, StsOperation operation, string hopName, string endpoint, string? sourceHopName = null, string? sentToken = null)
    {
        bool echoed = sentToken is not null && Echoes(error, sentToken);
        switch (error)
        {
            case CrossCloudAuthException ours:
                return ours;

            case AwsStsServiceException { ErrorCode: "InvalidIdentityToken" } invalid when invalid.Message.Contains("verification key", StringComparison.OrdinalIgnoreCase):
                return Rejected(
                    hopName,
                    invalid,
                    $"STS could not fetch the signing keys of the token's issuer: \"{Said(invalid, echoed)}\". AWS reads the issuer's "
                    + "OIDC discovery document and JWKS over the public internet, so they must be publicly readable (for GKE on AWS, "
                    + "make the OIDC discovery Cloud Storage bucket public; for a self-hosted issuer, serve /.well-known/openid-configuration "
                    + "and its jwks_uri over HTTPS without authentication), and the IAM OIDC identity provider's URL must equal the token's 'iss'.",
                    transient: false, echoed);

            case AwsStsServiceException { ErrorCode: "InvalidIdentityToken" } invalid:
                return Rejected(
                    hopName,
                    invalid,
                    $"STS rejected the web identity token: \"{Said(invalid, echoed)}\". Check that an IAM OIDC identity provider exists for the "
                    + "token's issuer with audience 'sts.amazonaws.com', and that the file is the projected service-account token (audience sts.amazonaws.com), not a copy.",
                    transient: false, echoed);

            case AwsStsServiceException { ErrorCode: "IDPRejectedClaim" } rejected:
                return Rejected(hopName, rejected, $"The identity provider rejected the token's claims: \"{Said(rejected, echoed)}\". Check the audience of the projected token and the IAM OIDC provider's client IDs.", transient: false, echoed);

            case AwsStsServiceException { ErrorCode: "IDPCommunicationError" } communication:
                return Rejected(hopName, communication, $"STS could not reach the identity provider: \"{Said(communication, echoed)}\". This is usually temporary; if it persists, check that the issuer's discovery document is reachable from the internet.", transient: true, echoed);

            case AwsStsServiceException { ErrorCode: "RegionDisabledException" } disabled:
                return Rejected(hopName, disabled, $"STS is not activated in this account for the region of {endpoint}: \"{Said(disabled, echoed)}\". Activate the region under IAM > Account settings, or set AWS_REGION (or the STS Region option) to an active region.", transient: false, echoed);

            case AwsStsServiceException { ErrorCode: "MalformedPolicyDocument" or "PackedPolicyTooLarge" }:
                return new CredentialConfigurationException(hopName, $"STS rejected the session policy or tags: \"{Said(error, echoed)}\". Shorten or fix the inline policy, policy ARNs or session tags.", echoed ? null : error);

            case AwsStsServiceException service:
                return MapServiceError(service, operation, hopName, endpoint, sourceHopName, echoed);

            case StsMalformedResponseException malformed:
                return new CredentialRequestFailedException(hopName, $"STS at {endpoint} sent a response that is not valid STS XML: {malformed.Problem}. A proxy or a misconfigured endpoint override may be answering instead of STS.", errorCode: "MalformedResponse", isTransient: true, innerException: error);

            case OperationCanceledException or TimeoutException:
                return new CredentialRequestFailedException(hopName, $"STS at {endpoint} did not answer in time.", errorCode: "Timeout", isTransient: true, innerException: echoed ? null : error);

            case IOException or System.Net.Sockets.SocketException:
                // A connection reset or a body cut short while it is read: a transport failure like any other, so it
                // is retried.
                return new CredentialRequestFailedException(hopName, $"The connection to STS at {endpoint} broke off ({error.GetType().Name}). Check network access (or the endpoint override); the call is retried.", errorCode: "NetworkError", isTransient: true, innerException: echoed ? null : error);

            case HttpRequestException http:
                return new CredentialRequestFailedException(hopName, $"Could not reach STS at {endpoint}: {Said(http, echoed)}. Check network access (or the endpoint override).", http.StatusCode, "NetworkError", isTransient: true, innerException: echoed ? null : error);

            default:
                return new CredentialRequestFailedException(hopName, $"The call to STS at {endpoint} failed ({error.GetType().Name}).", errorCode: "Unexpected", isTransient: false, innerException: echoed ? null : error);
        }
    }

    /// <summary>The error for a response body past the cap (never retried: the same endpoint would answer the same).</summary>
    public static CredentialRequestFailedException TooLarge(string hopName, string endpoint, int maxBytes, Exception error) =>
        new(
            hopName,
            $"STS at {endpoint} sent a response larger than the {maxBytes} bytes accepted; it was abandoned. A proxy or a misconfigured endpoint override is probably answering instead of STS.",
            errorCode: ResponseTooLargeCode,
            isTransient: false,
            innerException: error);

    /// <summary>The error for an attempt that missed its deadline, whatever the cancellation surfaced as.</summary>
    public static CredentialRequestFailedException Timeout(string hopName, string endpoint, TimeSpan timeout, Exception error) =>
        new(
            hopName,
            $"STS at {endpoint} did not answer within {timeout.TotalSeconds:0.#} s. Check network access to the endpoint (proxy, firewall, VPC endpoint); the call is retried.",
            errorCode: "Timeout",
            isTransient: true,
            innerException: error);

    private static CrossCloudAuthException MapServiceError(AwsStsServiceException service, StsOperation operation, string hopName, string endpoint, string? sourceHopName, bool echoed)
    {
        string code = string.IsNullOrEmpty(service.ErrorCode) ? service.StatusCode.ToString() : ServiceErrorText.Quote(service.ErrorCode);
        // Without an error code the body was not an STS error document: it may be anything a proxy or an echoing
        // endpoint sent (even the request's web identity token), so none of it is quoted.
        string quoted = string.IsNullOrEmpty(service.ErrorCode)
            ? "the response is not an STS error document"
            : !service.HasServiceMessage ? ServiceErrorText.Quote(code) : Said(service, echoed);

        if (code is "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequestsException" or "PriorRequestNotComplete"
            || service.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return Rejected(hopName, service, $"STS throttled the call: \"{quoted}\". It will be retried with backoff; if it persists, share one cached source per role instead of creating many.", transient: true, echoed);
        }

        if (code is "ExpiredToken" or "ExpiredTokenException")
        {
            return Expired(service, operation, hopName, sourceHopName, echoed);
        }

        if (code == "AccessDenied" || service.StatusCode == HttpStatusCode.Forbidden)
        {
            string fix = operation == StsOperation.AssumeRoleWithWebIdentity
                ? "The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the cluster's OIDC provider (Principal.Federated = arn:aws:iam::<account>:oidc-provider/<issuer>) with a condition on '<issuer>:sub' equal to 'system:serviceaccount:<namespace>:<service-account>' and '<issuer>:aud' equal to 'sts.amazonaws.com'."
                : $"The caller (credentials from {sourceHopName ?? "the source"}) needs an IAM policy allowing sts:AssumeRole on this role, and the role's trust policy must name the caller's role (arn:aws:iam::<account>:role/<name>) as Principal.AWS; with an ExternalId, both sides must match.";
            return Rejected(hopName, service, $"STS denied the call: \"{quoted}\". {fix}", transient: false, echoed);
        }

        if (code == "ValidationError" && quoted.Contains("role chaining", StringComparison.OrdinalIgnoreCase))
        {
            return new CredentialConfigurationException(hopName, $"STS rejected the session duration: \"{quoted}\". A role reached from another role's session lasts at most 3600 seconds; lower the duration.", echoed ? null : service);
        }

        if (code is "ValidationError" or "InvalidParameterValue" or "MissingParameter" or "InvalidParameterCombination")
        {
            return new CredentialConfigurationException(hopName, $"STS rejected the request's parameters: \"{quoted}\". Check the role ARN, session name (2-64 characters of [\\w+=,.@-]), duration and tags.", echoed ? null : service);
        }

        if (code is "InvalidClientTokenId" or "SignatureDoesNotMatch" or "IncompleteSignature")
        {
            return Rejected(hopName, service, $"STS did not accept the calling credentials: \"{quoted}\". The source ({sourceHopName ?? "caller"}) returned keys STS does not know, or the host clock is off by more than 5 minutes.", transient: false, echoed);
        }

        bool transient = (int)service.StatusCode >= 500 || service.ErrorType == "Receiver";
        return Rejected(
            hopName,
            service,
            transient
                ? $"STS at {endpoint} failed ({(int)service.StatusCode} {code}): \"{Truncate(quoted)}\". It will be retried."
                : $"STS at {endpoint} rejected the call ({(int)service.StatusCode} {code}): \"{Truncate(quoted)}\".",
            transient,
            echoed);
    }

    private static CredentialRequestFailedException Expired(AwsStsServiceException expired, StsOperation operation, string hopName, string? sourceHopName, bool echoed) =>
        Rejected(
            hopName,
            expired,
            operation == StsOperation.AssumeRoleWithWebIdentity
                ? $"STS says the web identity token has expired: \"{Said(expired, echoed)}\". The kubelet rotates projected tokens; make sure the file is the projected token itself (not a copy) and that the host clock is right."
                : $"STS says the calling credentials' session has expired: \"{Said(expired, echoed)}\". The source hop ({sourceHopName ?? "the caller"}) must be refreshed; wrap it in a RefreshAheadCache, and check the host clock.",
            transient: operation == StsOperation.AssumeRole,
            echoed);

    private static CredentialRequestFailedException Rejected(string hopName, AwsStsServiceException error, string message, bool transient, bool echoed) =>
        new(
            hopName,
            message,
            error.StatusCode == 0 ? null : error.StatusCode,
            string.IsNullOrEmpty(error.ErrorCode) ? null : ServiceErrorText.Quote(error.ErrorCode),
            transient,

            // An echoed token is in the error's message: keep it out of ToString() too.
            echoed ? null : error);

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>What the service said, bounded, on one line, with anything token-shaped redacted.</summary>
    private static string Said(Exception error, bool echoed) =>
        echoed ? "<redacted> (the answer quoted the token the call sent)" : ServiceErrorText.Quote(error.Message);

    /// <summary>Whether <paramref name="error"/> or an exception inside it quotes the token the call sent, or a piece of
    /// it: an endpoint that echoes the request must not turn the exception into a copy of the credential.</summary>
    private static bool Echoes(Exception error, string sentToken)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (SecretText.ContainsPieceOf(e.Message, sentToken))
            {
                return true;
            }
        }

        return false;
    }
}
