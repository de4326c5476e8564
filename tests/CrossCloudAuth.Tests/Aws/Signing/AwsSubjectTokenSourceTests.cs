using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Aws.Signing;

public sealed class AwsSubjectTokenSourceTests
{
    private const string Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws";

    private readonly FakeTimeProvider _time = new(AwsTestData.Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly StaticAwsSource _credentials = new();

    [Fact]
    public async Task GetSubjectTokenAsync_ExplicitRegion_SignsWithCurrentCredentialsAndTime()
    {
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions { Audience = Audience, Region = "us-west-2" });

        string token = await source.GetSubjectTokenAsync();

        Assert.Equal(AwsSubjectToken.Create(_credentials.Current, "us-west-2", Audience, AwsTestData.Now), token);
        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", source.SubjectTokenType);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_EachCall_SignsAnew()
    {
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions { Audience = Audience, Region = "us-west-2" });

        string first = await source.GetSubjectTokenAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        string second = await source.GetSubjectTokenAsync();

        Assert.NotEqual(first, second);
        Assert.Equal(2, _credentials.Calls);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_AwsRegionSet_PrefersItToResolver()
    {
        _environment.Set("AWS_DEFAULT_REGION", "eu-west-1").Set("AWS_REGION", "eu-north-1");
        int resolverCalls = 0;
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions
        {
            Audience = Audience,
            RegionResolver = _ => { resolverCalls++; return ValueTask.FromResult("us-east-1"); },
        });

        string json = Uri.UnescapeDataString(await source.GetSubjectTokenAsync());

        Assert.Contains("sts.eu-north-1.amazonaws.com", json, StringComparison.Ordinal);
        Assert.Equal(0, resolverCalls);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_ResolverOnly_ResolvesOnce()
    {
        int resolverCalls = 0;
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions
        {
            Audience = Audience,
            RegionResolver = _ => { resolverCalls++; return ValueTask.FromResult("ap-southeast-2"); },
        });

        await source.GetSubjectTokenAsync();
        string json = Uri.UnescapeDataString(await source.GetSubjectTokenAsync());

        Assert.Contains("sts.ap-southeast-2.amazonaws.com", json, StringComparison.Ordinal);
        Assert.Equal(1, resolverCalls);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_NoRegionAnywhere_ThrowsUnavailable()
    {
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions { Audience = Audience });

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Contains("AWS_REGION", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSubjectTokenAsync_ResolverReturnsGarbage_ThrowsConfiguration()
    {
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions { Audience = Audience, RegionResolver = _ => ValueTask.FromResult("not a region") });

        await Assert.ThrowsAsync<CredentialConfigurationException>(() => source.GetSubjectTokenAsync().AsTask());
    }

    [Fact]
    public async Task GetSubjectTokenAsync_SourceFails_PropagatesItsError()
    {
        _credentials.Error = new CredentialSourceUnavailableException("aws-test:source", "nothing here");
        AwsSubjectTokenSource source = Create(new AwsSubjectTokenSourceOptions { Audience = Audience, Region = "us-east-1" });

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetSubjectTokenAsync().AsTask());

        Assert.Equal("aws-test:source", error.HopName);
    }

    [Theory]
    [InlineData(null, "us-east-1", null)]
    [InlineData(Audience, "Not-A-Region", null)]
    [InlineData(Audience, "us-east-1", "http://sts.amazonaws.com")]
    public void Ctor_InvalidOptions_ThrowsConfiguration(string? audience, string region, string? url)
    {
        Assert.Throws<CredentialConfigurationException>(() => Create(new AwsSubjectTokenSourceOptions
        {
            Audience = audience,
            Region = region,
            RegionalCredentialVerificationUrl = url,
        }));
    }

    private AwsSubjectTokenSource Create(AwsSubjectTokenSourceOptions options) => new(_credentials, options, _time, _environment);

    private sealed class StaticAwsSource : ICredentialProvider<AwsCredentials>
    {
        private int _calls;

        public AwsCredentials Current { get; } = new(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, AwsTestData.Now.AddHours(1));

        public Exception? Error { get; set; }

        public int Calls => _calls;

        public string HopName => "aws-test:static";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Error is null ? ValueTask.FromResult(Current) : ValueTask.FromException<AwsCredentials>(Error);
        }
    }
}
