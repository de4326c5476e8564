using System.Net;
using System.Text.Json;
using CrossCloudAuth.Diagnostics;
using CrossCloudAuth.Http;
using System.Text.RegularExpressions;

namespace CrossCloudAuth.Google;

/// <summary>Turns an STS error response into an exception that names the hop, quotes Google and says what to fix.</summary>
internal static partial class StsErrorTranslator
{
    /// <summary>Translates a rejection. When Google's error quotes any piece of <paramref name="subjectToken"/> (an
    /// endpoint that echoes the request), none of its description is quoted.</summary>
    /// <param name="hop">The hop.</param>
    /// <param name="response">The error response.</param>
    /// <param name="audience">The provider's audience, for the fix.</param>
    /// <param name="subjectTokenType">The subject token type, for the fix.</param>
    /// <param name="subjectToken">The subject token the exchange sent.</param>
    /// <returns>The exception to throw.</returns>
    public static CredentialRequestFailedException Translate(string hop, HopResponse response, string audience, string subjectTokenType, string? subjectToken = null)
    {
        StsErrorResponse? error = null;
        try
        {
            error = JsonSerializer.Deserialize(response.Body, StsJsonContext.Default.StsErrorResponse);
        }
        catch (JsonException)
        {
            // Not an OAuth error body (a proxy's HTML page, a load balancer's text): described by status alone.
        }

        int status = (int)response.StatusCode;
        bool transient = HopHttp.IsTransient(response.StatusCode);
        if (string.IsNullOrEmpty(error?.Error))
        {
            string what = transient
                ? "Google STS is throttling or unavailable; the request will be retried."
                : "The response is not an OAuth error; check that token_url points to Google STS.";
            return new CredentialRequestFailedException(hop, $"The token exchange failed with HTTP {status} {response.StatusCode}. {what}", response.StatusCode, isTransient: transient);
        }

        bool echoed = SecretPartsOf(subjectToken, subjectTokenType).Any(secret =>
            SecretText.ContainsPieceOf(error.Error, secret) || SecretText.ContainsPieceOf(error.ErrorDescription, secret));
        string code = ServiceErrorText.Quote(error.Error);
        if (echoed && SecretPartsOf(subjectToken, subjectTokenType).Any(secret => SecretText.ContainsPieceOf(error.Error, secret)))
        {
            code = "unknown_error";
        }

        string description = echoed
            ? "<redacted> (the description quoted the subject token back)"
            : ServiceErrorText.Quote(error.ErrorDescription);
        string fix = Fix(code, error.ErrorDescription ?? string.Empty, audience, subjectTokenType);
        return new CredentialRequestFailedException(
            hop,
            $"Google STS rejected the token exchange: {code} (HTTP {status}): \"{description}\". {fix}",
            response.StatusCode,
            code,
            isTransient: transient || response.StatusCode == HttpStatusCode.TooManyRequests);
    }

    private static string Fix(string code, string description, string audience, string subjectTokenType)
    {
        bool aws = subjectTokenType == SubjectTokenTypes.Aws4Request;
        switch (code)
        {
            case "invalid_grant":
                if (Contains(description, "stale") || Contains(description, "expired") || Contains(description, "expir"))
                {
                    return aws
                        ? "The signed AWS request is too old or the AWS credentials have expired: check the host clock (SigV4 allows 15 minutes of skew) and that the AWS credentials are current."
                        : "The subject token has expired or was issued too long ago. The token file is re-read for every exchange: check that the kubelet (or whatever writes it) still rotates it, and the host clock.";
                }

                if (Contains(description, "audience") || Contains(description, "aud"))
                {
                    return $"The subject token's audience does not match the provider: the token's 'aud' claim must be one of the provider's allowed audiences (by default https:{audience}); for EKS IRSA tokens it is usually sts.amazonaws.com, which must be added to the provider's allowed audiences.";
                }

                if (aws && (Contains(description, "signature") || Contains(description, "aws")))
                {
                    return "Google could not verify the signed AWS GetCallerIdentity request: check the host clock, the AWS region, and that the AWS account id of the provider matches the credentials.";
                }

                if (Contains(description, "signature") || Contains(description, "key"))
                {
                    return "Google could not verify the subject token's signature with the provider's issuer keys: check that the provider's issuer URI is the token's 'iss' (for EKS, the cluster's OIDC issuer URL), that the issuer's discovery document and JWKS are publicly reachable (or upload the JWKS to the provider), and that nothing altered the token.";
                }

                if (Contains(description, "condition"))
                {
                    return "The provider's attribute condition rejected this identity: check the condition against the token's claims (or the AWS role).";
                }

                return aws
                    ? "Check that the provider is an AWS provider for this AWS account, the host clock, and the AWS credentials."
                    : $"Check the subject token: issuer (the provider's issuer URI, e.g. the EKS cluster's OIDC issuer), audience (one of the provider's allowed audiences, by default https:{audience}), expiry, and the attribute condition.";
            case "invalid_request":
                return $"Check audience: it must be the provider's full resource name, //iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (it is {audience}), and subject_token_type must match the provider ({subjectTokenType}).";
            case "unauthorized_client":
                return "The provider's attribute condition rejected this identity, or the provider does not accept this kind of token: check the attribute condition and mapping against the token's claims (for AWS, the assumed role ARN).";
            case "invalid_target":
                return $"The pool or provider named by audience ({audience}) does not exist, is disabled or was deleted: check it with 'gcloud iam workload-identity-pools providers describe'.";
            case "invalid_client":
                return "The OAuth client_id / client_secret were rejected: check them, or remove them if the provider does not need client authentication.";
            case "invalid_scope":
                return "A requested scope is not allowed: use https://www.googleapis.com/auth/cloud-platform.";
            default:
                return "Check the workload identity pool and provider configuration.";
        }
    }

    private static bool Contains(string text, string word) => text.Contains(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>The secret parts of the subject token sent: all of a JWT or SAML assertion; of an <c>aws4_request</c>
    /// (mostly a public URL, header names and a date) its SigV4 signature and session token.</summary>
    private static IEnumerable<string> SecretPartsOf(string? subjectToken, string subjectTokenType)
    {
        if (string.IsNullOrEmpty(subjectToken))
        {
            yield break;
        }

        if (subjectTokenType != SubjectTokenTypes.Aws4Request)
        {
            yield return subjectToken;
            yield break;
        }

        foreach (Match match in Aws4Secret().Matches(Uri.UnescapeDataString(subjectToken)))
        {
            string value = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
            yield return value;
            yield return Uri.EscapeDataString(value);
        }
    }

    [GeneratedRegex(@"Signature=([0-9a-f]{64})|""x-amz-security-token""\s*,\s*""value""\s*:\s*""([^""]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Aws4Secret();
}
