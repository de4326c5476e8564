using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Testing.Tests.Support;

/// <summary>Builds STS requests signed by AWSSDK.Core's standalone SigV4 signer: an independent peer of the emulator's verifier.</summary>
internal static class AwsRequests
{
    public const string GetCallerIdentityBody = "Action=GetCallerIdentity&Version=2011-06-15";

    public static async Task<HttpRequestMessage> SignedPostAsync(Uri endpoint, string form, AwsCredentials credentials, DateTimeOffset signedAt, string region = "us-east-1", string service = "sts")
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(form);
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        signing.Headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
        AWSSigningResult result = await AWSSigV4Signer.SignAsync(signing, Parameters(credentials, signedAt, region, service), CancellationToken.None);
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        foreach ((string name, string value) in result.Headers)
        {
            if (!name.Equals("host", StringComparison.OrdinalIgnoreCase) && !name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>A presigned GetCallerIdentity GET with <c>x-k8s-aws-id</c> signed, the body of an EKS bearer token.</summary>
    public static async Task<(Uri Url, IDictionary<string, string> Headers)> PresignGetCallerIdentityAsync(Uri endpoint, AwsCredentials credentials, DateTimeOffset signedAt, string clusterName)
    {
        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Get,
            RequestUri = new Uri(endpoint, "?Action=GetCallerIdentity&Version=2011-06-15"),
        };
        signing.Headers["x-k8s-aws-id"] = clusterName;
        PresignResult result = await AWSSigV4Signer.PresignAsync(signing, Parameters(credentials, signedAt, "us-east-1", "sts"), TimeSpan.FromSeconds(60), CancellationToken.None);
        return (result.Uri, result.SignedHeaders);
    }

    private static AWSSigV4Parameters Parameters(AwsCredentials credentials, DateTimeOffset signedAt, string region, string service) => new()
    {
        Credentials = credentials.SessionToken is null
            ? new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey)
            : new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
        Region = RegionEndpoint.GetBySystemName(region),
        Service = service,
        SignedAt = signedAt.UtcDateTime,
    };
}
