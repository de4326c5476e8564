using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using CrossCloudAuth.Http;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Aws;

/// <summary>
/// Flows F3 and F5 scripted end to end at the HTTP level: seed 001's pod (projected token, profiles ci-env and
/// target-env) assumes the CI role, then the target role; the target role's credentials then serve an AWS SDK client,
/// an EKS bearer token, and the <c>aws4_request</c> subject token Google sees.
/// </summary>
public sealed class AwsFlowTests : IDisposable
{
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    private readonly FakeTimeProvider _time = new(AwsTestData.Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly FakeHttpHandler _sts = new();
    private readonly AwsProfileCredentialSource _profile;
    private readonly RefreshAheadCache<AwsCredentials> _targetRole;

    public AwsFlowTests()
    {
        _environment.WithFile("/home/test/.aws/config", Fixtures.Read("seed001-aws-config"))
            .WithFile(TokenFile, Fixtures.ProjectedToken)
            .Set("AWS_PROFILE", "target-env")
            .Set("AWS_REGION", "us-east-1");
        _sts.On(HttpMethod.Post, "/",
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1), keyId: "ASIACIENV00000000001")),
            StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1), keyId: "ASIATARGET0000000001")));
        _profile = new AwsProfileCredentialSource(
            new AwsProfileCredentialSourceOptions { Sts = new AwsStsOptions { HttpClient = _sts.CreateClient(), Retry = new HopRetryOptions { MaxAttempts = 1 } } },
            _environment,
            _time);
        _targetRole = new RefreshAheadCache<AwsCredentials>(_profile, null, _time);
    }

    public void Dispose()
    {
        _targetRole.Dispose();
        _profile.Dispose();
    }

    [Fact]
    public async Task F3_TargetRoleCredentials_SignAwsSdkRequestsAndEksTokens()
    {
        FakeHttpHandler s3Http = new();
        s3Http.On(HttpMethod.Get, "/", HttpStatusCode.OK,
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>o</ID></Owner><Buckets><Bucket><Name>target-bucket</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>",
            "application/xml");
        using CachedAwsCredentials credentials = new(_targetRole);
        using AmazonS3Client s3 = new(credentials, new AmazonS3Config
        {
            RegionEndpoint = Amazon.RegionEndpoint.USEast1,
            HttpClientFactory = new FixedFactory(s3Http),
            MaxErrorRetry = 0,
        });

        ListBucketsResponse buckets = await s3.ListBucketsAsync(new ListBucketsRequest());
        AuthToken eks = await new EksTokenSource(_targetRole, new EksTokenSourceOptions { ClusterName = "target-cluster" }, _environment, _time).GetAsync();

        Assert.Equal("target-bucket", Assert.Single(buckets.Buckets).BucketName);
        Assert.Contains("Credential=ASIATARGET0000000001/", s3Http.Requests[0].Headers["Authorization"], StringComparison.Ordinal);
        string url = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(eks.Token.AsSpan("k8s-aws-v1.".Length)));
        Assert.Contains("X-Amz-Credential=ASIATARGET0000000001%2F", url, StringComparison.Ordinal);
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], _sts.Requests.Select(r => StsResponses.Form(r)["Action"]));
    }

    [Fact]
    public async Task F5_RoleChainAsGoogleSubject_SignsWithTheTargetRole()
    {
        const string audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws";
        AwsSubjectTokenSource subject = new(_targetRole, new AwsSubjectTokenSourceOptions { Audience = audience }, _time, _environment);

        string token = await subject.GetSubjectTokenAsync();

        using JsonDocument json = JsonDocument.Parse(Uri.UnescapeDataString(token));
        Dictionary<string, string> headers = json.RootElement.GetProperty("headers").EnumerateArray()
            .ToDictionary(h => h.GetProperty("key").GetString()!, h => h.GetProperty("value").GetString()!);
        Assert.Equal("https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", json.RootElement.GetProperty("url").GetString());
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIATARGET0000000001/20261123/us-east-1/sts/aws4_request", headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(audience, headers["x-goog-cloud-target-resource"]);
        Assert.Equal(AwsTestData.SessionToken, headers["x-amz-security-token"]);
    }

    private sealed class FixedFactory(FakeHttpHandler handler) : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => handler.CreateClient();

        public override bool UseSDKHttpClientCaching(Amazon.Runtime.IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(Amazon.Runtime.IClientConfig clientConfig) => false;
    }
}
