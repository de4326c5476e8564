using CrossCloudAuth.Platform;
using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Testing;
using Xunit.Abstractions;

namespace CrossCloudAuth.Conformance.AwsCli;

/// <summary>
/// The EKS bearer token (<c>k8s-aws-v1.</c> + a presigned GetCallerIdentity URL) against three independent judges:
/// botocore recomputes its query-string signature, <c>aws eks get-token</c> is the reference shape, and the project's
/// emulator (itself checked against the AWS CLI's tokens here) verifies the URL replayed with <c>x-k8s-aws-id</c>.
/// moto cannot judge presigned URLs: moto 5.2.1 authenticates only the Authorization header form (a presigned
/// request crashes its authentication with KeyError 'HTTP_AUTHORIZATION').
/// </summary>
public sealed class EksTokenConformanceTests(AwsCliEmulatorTests.Emulator emulator, ITestOutputHelper output)
    : IClassFixture<AwsCliEmulatorTests.Emulator>
{
    private const string Cluster = "target-cluster";
    private const string Region = "eu-west-1";
    private static readonly AwsCredentials Credentials = new("ASIAEKSCONFORMANCE", "eks/conformance/secret0123456789abcdefEXAMPLE", "eks-session-token", DateTimeOffset.UtcNow.AddHours(1));

    [ConformanceFact(ConformanceTool.Botocore)]
    public async Task EksToken_PresignedUrl_VerifiesWithBotocore()
    {
        ConformanceTools.Require(ConformanceTool.Botocore);

        var url = await OurPresignedUrlAsync(Credentials);
        var verdict = await VerifyAsync(url, Cluster, Credentials);
        var forOtherCluster = await VerifyAsync(url, "other-cluster", Credentials);

        Assert.Equal("query", verdict.Mode);
        Assert.True(verdict.Match, $"botocore does not reproduce the EKS token's signature.\n{verdict.CanonicalRequest}");
        Assert.False(forOtherCluster.Match); // x-k8s-aws-id is signed: the token is bound to its cluster
    }

    [ConformanceFact(ConformanceTool.AwsCli, ConformanceTool.Botocore)]
    public async Task EksToken_HasTheShapeOfAwsEksGetToken()
    {
        ConformanceTools.Require(ConformanceTool.AwsCli, ConformanceTool.Botocore);

        var (ourUrl, token) = await OurTokenAsync(Credentials);
        var ours = new Uri(ourUrl);
        var (theirs, expiration) = await AwsCliTokenAsync(Credentials);

        output.WriteLine($"ours   {Redact(ours)}\naws cli {Redact(theirs)}");
        Assert.Equal(theirs.Host, ours.Host);
        Assert.Equal(theirs.AbsolutePath, ours.AbsolutePath);
        var our = Query(ours);
        var their = Query(theirs);
        Assert.Equal(their.Keys.Order(), our.Keys.Order());
        foreach (var name in new[] { "Action", "Version", "X-Amz-Algorithm", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token" })
        {
            Assert.Equal(their[name], our[name]);
        }

        Assert.Equal(their["X-Amz-Credential"].Split('/')[2..], our["X-Amz-Credential"].Split('/')[2..]);
        Assert.True((await VerifyAsync(theirs.ToString(), Cluster, Credentials)).Match, "control: botocore must accept the AWS CLI's own token");
        // Both report the token as usable for 14 minutes after signing (the server accepts it for 15).
        var signedAt = DateTimeOffset.ParseExact(our["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(token.ExpiresOn - signedAt, TimeSpan.FromMinutes(13.9), TimeSpan.FromMinutes(14.1));
        output.WriteLine($"aws cli expirationTimestamp {expiration:O}, ours {token.ExpiresOn:O}");
    }

    [ConformanceFact(ConformanceTool.AwsCli)]
    public async Task EksTokens_OursAndAwsClis_AreAcceptedByEmulatorSts()
    {
        ConformanceTools.Require(ConformanceTool.AwsCli);
        var cloud = await emulator.GetAsync();
        var session = cloud.IssueRoleSession("arn:aws:iam::111122223333:role/node-role", "eks-user");
        var stsHost = cloud.AwsStsEndpoint;

        var ours = new Uri(await OurPresignedUrlAsync(session, stsHost));
        var (theirs, _) = await AwsCliTokenAsync(session, stsHost);

        foreach (var (who, url) in new[] { ("library", ours), ("aws cli", theirs) })
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("x-k8s-aws-id", Cluster);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{who}'s EKS token was refused: {(int)response.StatusCode} {body}");
            Assert.Contains("assumed-role/node-role/eks-user", body);
        }
    }

    private static async Task<string> OurPresignedUrlAsync(AwsCredentials credentials, Uri? stsEndpoint = null) =>
        (await OurTokenAsync(credentials, stsEndpoint)).Url;

    private static async Task<(string Url, AuthToken Token)> OurTokenAsync(AwsCredentials credentials, Uri? stsEndpoint = null)
    {
        var provider = new EksTokenSource(
            new StaticAwsCredentials(credentials),
            new EksTokenSourceOptions { ClusterName = Cluster, Region = Region, StsEndpoint = stsEndpoint },
            new CredentialContext { Environment = ScopedEnvironment.Empty });
        var token = await provider.GetAsync();
        Assert.StartsWith(EksTokenSource.TokenPrefix, token.Token);
        return (DecodeToken(token.Token), token);
    }

    private static async Task<(Uri Url, DateTimeOffset Expiration)> AwsCliTokenAsync(AwsCredentials credentials, Uri? stsEndpoint = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = credentials.SessionToken!,
            ["AWS_DEFAULT_REGION"] = Region,
        };
        if (stsEndpoint is not null)
        {
            environment["AWS_ENDPOINT_URL_STS"] = stsEndpoint.ToString();
        }

        var result = (await Infrastructure.AwsCli.RunAsync(["eks", "get-token", "--cluster-name", Cluster], environment)).EnsureSuccess();
        var status = JsonNode.Parse(result.StandardOutput)!["status"]!;
        return (new Uri(DecodeToken((string)status["token"]!)), DateTimeOffset.Parse((string)status["expirationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string DecodeToken(string token)
    {
        var encoded = token[EksTokenSource.TokenPrefix.Length..].Replace('-', '+').Replace('_', '/');
        encoded += new string('=', (4 - (encoded.Length % 4)) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
    }

    private static Task<BotocoreVerdict> VerifyAsync(string url, string cluster, AwsCredentials credentials) =>
        BotocoreSigV4.VerifyAsync("GET", url, [new("x-k8s-aws-id", cluster)], string.Empty, credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);

    private static Dictionary<string, string> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    private static string Redact(Uri url) => url.GetLeftPart(UriPartial.Path) + "?" +
        string.Join('&', Query(url).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + (p.Key is "X-Amz-Signature" or "X-Amz-Security-Token" ? "…" : p.Value)));
}
