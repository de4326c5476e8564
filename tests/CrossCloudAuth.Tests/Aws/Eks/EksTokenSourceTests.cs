using System.Buffers.Text;
using System.Text;
using System.Web;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Eks;

public sealed class EksTokenProviderTests
{
    private readonly FakeTimeProvider _time = new(AwsTestData.Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly FixedSource _source = new();

    [Fact]
    public void Presign_AwsTestSuiteSessionTokenVector_MatchesPublishedSignature()
    {
        // aws-signing-test-suite v4/get-vanilla-with-session-token, query (presigned) form, X-Amz-Expires=3600.
        AwsCredentials credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");

        string url = EksTokenSource.Presign(
            credentials, new Uri("https://example.amazonaws.com/"), "us-east-1", "service", [], TimeSpan.FromHours(1),
            new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        Assert.Equal("7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c", HttpUtility.ParseQueryString(new Uri(url).Query)["X-Amz-Signature"]);
    }

    [Fact]
    public async Task GetAsync_TargetRoleCredentials_EncodesPresignedGetCallerIdentityForTheCluster()
    {
        EksTokenSource provider = new(_source, new EksTokenSourceOptions { ClusterName = "target-cluster", Region = "eu-west-1" }, _environment, _time);

        AuthToken token = await provider.GetAsync();

        Assert.StartsWith("k8s-aws-v1.", token.Token, StringComparison.Ordinal);
        string encoded = token.Token["k8s-aws-v1.".Length..];
        Assert.DoesNotContain('=', encoded);
        Assert.DoesNotContain('+', encoded);
        Assert.DoesNotContain('/', encoded);
        Uri url = new(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(encoded)));
        Assert.Equal("https://sts.eu-west-1.amazonaws.com/", url.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("GetCallerIdentity", query["Action"]);
        Assert.Equal("2011-06-15", query["Version"]);
        Assert.Equal("60", query["X-Amz-Expires"]);
        Assert.Equal("host;x-k8s-aws-id", query["X-Amz-SignedHeaders"]);
        Assert.Equal("20261123T120000Z", query["X-Amz-Date"]);
        Assert.Equal($"{AwsTestData.AccessKeyId}/20261123/eu-west-1/sts/aws4_request", query["X-Amz-Credential"]);
        Assert.Equal(AwsTestData.SessionToken, query["X-Amz-Security-Token"]);
        Assert.Equal(AwsTestData.Now.AddMinutes(14), token.ExpiresOn);
        Assert.DoesNotContain(AwsTestData.SecretAccessKey, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SignatureCoversTheClusterHeader_DiffersPerCluster()
    {
        EksTokenSource a = new(_source, new EksTokenSourceOptions { ClusterName = "a", Region = "us-east-1" }, _environment, _time);
        EksTokenSource b = new(_source, new EksTokenSourceOptions { ClusterName = "b", Region = "us-east-1" }, _environment, _time);

        Assert.NotEqual(Signature(await a.GetAsync()), Signature(await b.GetAsync()));
    }

    [Fact]
    public async Task GetAsync_CredentialsExpireBeforeFifteenMinutes_ReportsTheirExpiryMinusMargin()
    {
        _source.Credentials = new AwsCredentials(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, AwsTestData.Now.AddMinutes(10));
        EksTokenSource provider = new(_source, new EksTokenSourceOptions { ClusterName = "c" }, _environment, _time);

        AuthToken token = await provider.GetAsync();

        Assert.Equal(AwsTestData.Now.AddMinutes(9), token.ExpiresOn);
    }

    [Fact]
    public async Task GetAsync_CredentialsAboutToExpire_RefusesToSign()
    {
        _source.Credentials = new AwsCredentials(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, AwsTestData.Now.AddSeconds(90));
        EksTokenSource provider = new(_source, new EksTokenSourceOptions { ClusterName = "c" }, _environment, _time);

        CredentialRequestFailedException error = await Assert.ThrowsAsync<CredentialRequestFailedException>(() => provider.GetAsync().AsTask());

        Assert.True(error.IsTransient);
        Assert.Contains(_source.HopName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_RegionFromEnvironmentAndEmulatorEndpoint_UsesThem()
    {
        _environment.Set("AWS_REGION", "ap-south-1");
        EksTokenSource provider = new(_source, new EksTokenSourceOptions { ClusterName = "c", StsEndpoint = new Uri("http://127.0.0.1:4566") }, _environment, _time);

        Uri url = Decode(await provider.GetAsync());

        Assert.Equal("127.0.0.1:4566", url.Authority);
        Assert.Contains("/ap-south-1/sts/aws4_request", HttpUtility.ParseQueryString(url.Query)["X-Amz-Credential"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_STS", "https://sts-vpce.example.com", null, "sts-vpce.example.com")]
    [InlineData("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", null, "127.0.0.1:4566")]
    [InlineData("AWS_ENDPOINT_URL_STS", "https://sts-vpce.example.com", "true", "sts.eu-west-1.amazonaws.com")]
    public async Task GetAsync_EndpointFromTheEnvironment_FollowsTheStsCallsResolution(string variable, string value, string? ignore, string expectedAuthority)
    {
        _environment.Set("AWS_REGION", "eu-west-1").Set(variable, value).Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", ignore);
        EksTokenSource provider = new(_source, new EksTokenSourceOptions { ClusterName = "c" }, _environment, _time);

        Uri url = Decode(await provider.GetAsync());

        Assert.Equal(expectedAuthority, url.Authority);
    }

    [Fact]
    public void Ctor_PlainHttpRemoteEndpointFromTheEnvironment_ThrowsConfiguration()
    {
        _environment.Set("AWS_ENDPOINT_URL_STS", "http://sts.example.com");

        Assert.Throws<CredentialConfigurationException>(() => new EksTokenSource(_source, new EksTokenSourceOptions { ClusterName = "c" }, _environment, _time));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bad name")]
    public void Ctor_InvalidClusterName_ThrowsConfiguration(string? name)
    {
        Assert.Throws<CredentialConfigurationException>(() => new EksTokenSource(_source, new EksTokenSourceOptions { ClusterName = name }, _environment, _time));
    }

    [Fact]
    public void Ctor_PlainHttpRemoteEndpoint_ThrowsConfiguration()
    {
        Assert.Throws<CredentialConfigurationException>(() => new EksTokenSource(_source, new EksTokenSourceOptions { ClusterName = "c", StsEndpoint = new Uri("http://sts.example.com") }, _environment, _time));
    }

    [Fact]
    public void Ctor_EndpointWithUserInfo_RefusedBeforeItCouldEnterAToken()
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => new EksTokenSource(_source, new EksTokenSourceOptions { ClusterName = "c", StsEndpoint = new Uri("https://user:secret@sts.example.com") }, _environment, _time));

        Assert.Contains("without user info", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    private static Uri Decode(AuthToken token) => new(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Token.AsSpan("k8s-aws-v1.".Length))));

    private static string? Signature(AuthToken token) => HttpUtility.ParseQueryString(Decode(token).Query)["X-Amz-Signature"];

    private sealed class FixedSource : ICredentialProvider<AwsCredentials>
    {
        public AwsCredentials Credentials { get; set; } = new(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, AwsTestData.Now.AddHours(1));

        public string HopName => "aws-sts:AssumeRole(arn:aws:iam::222222222222:role/target-account-iam-role)";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Credentials);
    }
}
