using System.Net;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google;

/// <summary>Google's error bodies: the OAuth shape of STS, and the API envelope of IAM Credentials, Storage and BigQuery.</summary>
internal static class GoogleErrors
{
    public const string MissingCredentials = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    public const string InvalidCredentials = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
    public const string InsufficientScopes = "Request had insufficient authentication scopes.";

    /// <summary>RFC 6749 §5.2 as Google STS sends it: <c>{"error": …, "error_description": …}</c>.</summary>
    public static EmulatorResponse OAuth(HttpStatusCode status, string error, string description) =>
        EmulatorResponse.Json(status, new JsonObject { ["error"] = error, ["error_description"] = description })
            .WithHeader(EmulatorHost.ErrorCodeHeader, error);

    /// <summary>The Google API error envelope: <c>{"error": {"code", "message", "status", "details"}}</c>.</summary>
    public static EmulatorResponse Api(HttpStatusCode status, string grpcStatus, string message, string? reason = null, string domain = "googleapis.com", IReadOnlyDictionary<string, string>? metadata = null, bool legacyErrors = false, string? legacyReason = null)
    {
        var error = new JsonObject
        {
            ["code"] = (int)status,
            ["message"] = message,
        };
        if (legacyErrors)
        {
            // Storage and BigQuery still send the v1 "errors" array beside the status.
            var item = new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = legacyReason ?? reason ?? "error" };
            if (status == HttpStatusCode.Unauthorized)
            {
                item["locationType"] = "header";
                item["location"] = "Authorization";
            }

            error["errors"] = new JsonArray(item);
        }

        error["status"] = grpcStatus;
        if (reason is not null)
        {
            var info = new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                ["reason"] = reason,
                ["domain"] = domain,
            };
            if (metadata is not null)
            {
                var meta = new JsonObject();
                foreach ((string key, string value) in metadata)
                {
                    meta[key] = value;
                }

                info["metadata"] = meta;
            }

            error["details"] = new JsonArray(info);
        }

        var response = EmulatorResponse.Json(status, new JsonObject { ["error"] = error }).WithHeader(EmulatorHost.ErrorCodeHeader, grpcStatus);
        if (status == HttpStatusCode.Unauthorized)
        {
            response.WithHeader("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
        }

        return response;
    }
}
