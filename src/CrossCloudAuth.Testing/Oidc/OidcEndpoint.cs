using System.Net;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Oidc;

/// <summary>Serves each issuer's discovery document (<c>/NAME/.well-known/openid-configuration</c>) and JWKS (<c>/NAME/keys</c>).</summary>
internal sealed class OidcEndpoint(IReadOnlyDictionary<string, OidcIssuer> issuers) : IEmulatedEndpoint
{
    public EmulatedService Service => EmulatedService.Oidc;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (request.Method != "GET")
        {
            return ValueTask.FromResult(EmulatorResponse.Text(HttpStatusCode.MethodNotAllowed, "Method Not Allowed"));
        }

        string[] segments = request.Path.Trim('/').Split('/', 2);
        if (segments.Length == 2 && issuers.TryGetValue(segments[0], out OidcIssuer? issuer))
        {
            switch (segments[1])
            {
                case ".well-known/openid-configuration":
                    return ValueTask.FromResult(EmulatorResponse.Json(issuer.DiscoveryDocument()));
                case "keys":
                    return ValueTask.FromResult(EmulatorResponse.Json(issuer.Jwks()).WithHeader("Content-Type", "application/jwk-set+json"));
                default:
                    break;
            }
        }

        return ValueTask.FromResult(EmulatorResponse.NotFound());
    }
}
