using System.Globalization;
using System.Net;
using System.Text;
using System.Web;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing.Aws.Eks;

/// <summary>
/// Checks a <c>k8s-aws-v1.</c> token like aws-iam-authenticator: prefix, size, unpadded base64url, an STS URL
/// with path <c>/</c> and only <c>Action</c> / <c>Version</c> / <c>X-Amz-*</c> single-valued parameters,
/// <c>GetCallerIdentity</c>, <c>x-k8s-aws-id</c> signed, <c>X-Amz-Expires</c> at most 900 and a date at most
/// 15 minutes old; then replays the presigned GET against the emulated STS with this cluster's name.
/// </summary>
internal sealed class EksTokenVerifier(AwsStsEndpoint sts, Func<string> emulatorStsAuthority, TimeProvider clock)
{
    private const string Prefix = "k8s-aws-v1.";
    private static readonly TimeSpan ValidFor = TimeSpan.FromMinutes(15);

    public async Task<EksTokenReview> VerifyAsync(string token, string clusterName, CancellationToken cancellationToken)
    {
        if (token.Length > 4096 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return Reject("token is not a k8s-aws-v1. token of at most 4096 bytes");
        }

        if (!Base64Url.TryDecode(token[Prefix.Length..], out byte[] decoded) || !Uri.TryCreate(Encoding.UTF8.GetString(decoded), UriKind.Absolute, out Uri? url))
        {
            return Reject("token does not decode to a URL");
        }

        bool awsHost = url.Scheme == "https" && (url.Host == "sts.amazonaws.com" || (url.Host.StartsWith("sts.", StringComparison.Ordinal) && url.Host.EndsWith(".amazonaws.com", StringComparison.Ordinal)));
        if (!awsHost && !string.Equals(url.Authority, emulatorStsAuthority(), StringComparison.OrdinalIgnoreCase))
        {
            return Reject($"unexpected hostname \"{url.Host}\" in pre-signed URL");
        }

        if (url.AbsolutePath != "/")
        {
            return Reject("unexpected path in pre-signed URL");
        }

        var query = HttpUtility.ParseQueryString(url.Query);
        foreach (string? key in query.AllKeys)
        {
            if (key is null || !(key.Equals("Action", StringComparison.OrdinalIgnoreCase) || key.Equals("Version", StringComparison.OrdinalIgnoreCase) || key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase)))
            {
                return Reject($"non-whitelisted query parameter \"{key}\"");
            }

            if (query.GetValues(key)!.Length != 1)
            {
                return Reject($"query parameter \"{key}\" must appear once");
            }
        }

        if (query["Action"] != "GetCallerIdentity")
        {
            return Reject("unexpected action parameter in pre-signed URL");
        }

        if (!(query["X-Amz-SignedHeaders"] ?? string.Empty).Split(';').Contains("x-k8s-aws-id"))
        {
            return Reject("client did not sign the x-k8s-aws-id header in the pre-signed URL");
        }

        if (!int.TryParse(query["X-Amz-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out int expires) || expires > 900)
        {
            return Reject("X-Amz-Expires parameter in pre-signed URL missing or greater than 900");
        }

        if (!DateTimeOffset.TryParseExact(query["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset signedAt) ||
            clock.GetUtcNow() > signedAt + ValidFor)
        {
            return Reject("X-Amz-Date parameter is expired (15 minute expiration)");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["host"] = url.Authority, ["x-k8s-aws-id"] = clusterName };
        EmulatorResponse answer = await sts.HandleAsync(new EmulatorRequest("GET", url.PathAndQuery, headers, []), cancellationToken).ConfigureAwait(false);
        (string? arn, string? account, _, string? code, string? message) = StsXml.Parse(answer.BodyText);
        if (answer.StatusCode != HttpStatusCode.OK || arn is null)
        {
            return Reject($"sts getCallerIdentity failed: {code}: {message}");
        }

        return new EksTokenReview(arn, Canonicalize(arn), account, null);
    }

    /// <summary><c>arn:aws:sts::A:assumed-role/ROLE/SESSION</c> → <c>arn:aws:iam::A:role/ROLE</c>; other ARNs unchanged.</summary>
    private static string Canonicalize(string arn)
    {
        string[] parts = arn.Split(':', 6);
        if (parts.Length == 6 && parts[2] == "sts" && parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            string[] resource = parts[5].Split('/');
            return $"arn:{parts[1]}:iam::{parts[4]}:role/{resource[1]}";
        }

        return arn;
    }

    private static EksTokenReview Reject(string error) => new(null, null, null, error);
}
