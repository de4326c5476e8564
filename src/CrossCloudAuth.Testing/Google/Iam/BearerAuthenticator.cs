using System.Net;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google.Iam;

/// <summary>Checks a Google API request's bearer token: issued by the emulator, unexpired, with one of the service's scopes.</summary>
internal sealed class BearerAuthenticator(GoogleTokenStore tokens, bool legacyErrors, params string[] acceptedScopes)
{
    public GoogleToken? Authenticate(EmulatorRequest request, out EmulatorResponse? rejection)
    {
        string? bearer = request.BearerToken();
        if (bearer is null)
        {
            rejection = GoogleErrors.Api(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", GoogleErrors.MissingCredentials, "CREDENTIALS_MISSING", legacyErrors: legacyErrors, legacyReason: "required");
            return null;
        }

        GoogleToken? token = tokens.Find(bearer, out bool expired);
        if (token is null)
        {
            rejection = GoogleErrors.Api(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", legacyErrors ? "Invalid Credentials" : GoogleErrors.InvalidCredentials,
                expired ? "ACCESS_TOKEN_EXPIRED" : "ACCESS_TOKEN_TYPE_UNSUPPORTED", legacyErrors: legacyErrors, legacyReason: "authError");
            return null;
        }

        if (!token.HasAnyScope(acceptedScopes))
        {
            rejection = GoogleErrors.Api(HttpStatusCode.Forbidden, "PERMISSION_DENIED", legacyErrors ? "Provided scope(s) are not authorized" : GoogleErrors.InsufficientScopes,
                "ACCESS_TOKEN_SCOPE_INSUFFICIENT", legacyErrors: legacyErrors, legacyReason: "insufficientPermissions");
            return null;
        }

        rejection = null;
        return token;
    }
}
