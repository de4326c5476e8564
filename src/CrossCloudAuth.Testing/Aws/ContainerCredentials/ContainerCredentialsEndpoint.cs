using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Aws.Imds;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Aws.ContainerCredentials;

/// <summary>
/// The ECS / EKS Pod Identity credentials endpoint: checks the <c>Authorization</c> header when a token is
/// required and answers <c>AccessKeyId</c>, <c>SecretAccessKey</c>, <c>Token</c>, <c>Expiration</c>,
/// <c>RoleArn</c> and <c>AccountId</c>.
/// </summary>
internal sealed class ContainerCredentialsEndpoint(ContainerCredentialsBuilder options, RoleCredentialVendor? credentials) : IEmulatedEndpoint
{
    public EmulatedService Service => EmulatedService.ContainerCredentials;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken)
    {
        if (request.Method != "GET" || request.Path != options.RelativeUri || credentials is null)
        {
            return ValueTask.FromResult(Error(HttpStatusCode.NotFound, "ResourceNotFoundException", "No credentials are served at this path."));
        }

        if (options.AuthorizationToken is { } expected)
        {
            string? presented = request.Header("authorization");
            if (presented is null)
            {
                return ValueTask.FromResult(Error(HttpStatusCode.BadRequest, "InvalidParameterException", "Authorization header is missing."));
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected)))
            {
                return ValueTask.FromResult(Error(HttpStatusCode.Unauthorized, "AccessDeniedException", "The Authorization header does not carry the expected token."));
            }
        }

        if (credentials.Current() is not { } current)
        {
            return ValueTask.FromResult(Error(HttpStatusCode.InternalServerError, "ServerException", $"The role {credentials.RoleArn} does not exist."));
        }

        var body = new JsonObject
        {
            ["RoleArn"] = credentials.RoleArn,
            ["AccessKeyId"] = current.Key.AccessKeyId,
            ["SecretAccessKey"] = current.Key.SecretAccessKey,
            ["Token"] = current.Key.SessionToken,
            ["AccountId"] = current.Key.AccountId,
            ["Expiration"] = StsXml.FormatTime(current.Key.Expiration!.Value),
        };
        return ValueTask.FromResult(EmulatorResponse.Json(body));
    }

    private static EmulatorResponse Error(HttpStatusCode status, string code, string message) =>
        EmulatorResponse.Json(status, new JsonObject { ["code"] = code, ["message"] = message })
            .WithHeader(EmulatorHost.ErrorCodeHeader, code);
}
