using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Sdk;

public sealed class CachedAwsCredentialsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(AwsTestData.Now);
    private readonly RotatingSource _source;
    private readonly CachedAwsCredentials _credentials;

    public CachedAwsCredentialsTests()
    {
        _source = new RotatingSource(_time);
        _credentials = CachedAwsCredentials.Create(_source, new RefreshAheadCacheOptions { JitterRatio = 0 }, _time);
    }

    public void Dispose() => _credentials.Dispose();

    [Fact]
    public async Task GetCredentials_Hit_ReturnsTheSameInstanceWithoutCallingTheSource()
    {
        ImmutableCredentials first = await _credentials.GetCredentialsAsync();

        ImmutableCredentials second = _credentials.GetCredentials();
        Task<ImmutableCredentials> third = _credentials.GetCredentialsAsync();

        Assert.Same(first, second);
        Assert.True(third.IsCompletedSuccessfully);
        Assert.Same(first, third.Result);
        Assert.Same(third, _credentials.GetCredentialsAsync());
        Assert.Equal(1, _source.Calls);
        Assert.Equal("ASIAROTATION00000001", first.AccessKey);
        Assert.Equal(AwsTestData.SessionToken, first.Token);
    }

    [Fact]
    public void GetCredentials_FirstCallSynchronous_BlocksUntilTheRefreshCompletes()
    {
        ImmutableCredentials credentials = _credentials.GetCredentials();

        Assert.Equal("ASIAROTATION00000001", credentials.AccessKey);
        Assert.Equal(AwsTestData.Now.AddHours(1).UtcDateTime, _credentials.Expiration);
    }

    [Fact]
    public async Task GetCredentialsAsync_AfterExpiry_ReturnsTheRotatedCredentials()
    {
        ImmutableCredentials first = await _credentials.GetCredentialsAsync();

        _time.Advance(TimeSpan.FromHours(1));
        ImmutableCredentials rotated = await _credentials.GetCredentialsAsync();

        Assert.NotSame(first, rotated);
        Assert.Equal("ASIAROTATION00000002", rotated.AccessKey);
    }

    [Fact]
    public async Task GetCredentialsAsync_SourceFails_SurfacesOurException()
    {
        using CachedAwsCredentials failing = CachedAwsCredentials.Create(new FailingSource(), timeProvider: _time);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => failing.GetCredentialsAsync());

        Assert.Equal("aws-test:failing", error.HopName);
    }

    [Fact]
    public async Task AmazonSecurityTokenServiceClient_WithCachedCredentials_SignsWithThem()
    {
        FakeHttpHandler http = new();
        http.On(HttpMethod.Post, "/", FakeHttpHandler.Respond(HttpStatusCode.OK, """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <GetCallerIdentityResult>
                <Arn>arn:aws:sts::222222222222:assumed-role/target-account-iam-role/xactarget</Arn>
                <UserId>AROATARGET:xactarget</UserId>
                <Account>222222222222</Account>
              </GetCallerIdentityResult>
              <ResponseMetadata><RequestId>4</RequestId></ResponseMetadata>
            </GetCallerIdentityResponse>
            """, "text/xml"));
        AmazonSecurityTokenServiceConfig config = new() { RegionEndpoint = Amazon.RegionEndpoint.EUWest1, HttpClientFactory = new HandlerFactory(http), MaxErrorRetry = 0 };
        using AmazonSecurityTokenServiceClient client = new(_credentials, config);

        GetCallerIdentityResponse identity = await client.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal("222222222222", identity.Account);
        RecordedRequest request = Assert.Single(http.Requests);
        Assert.Contains("Credential=ASIAROTATION00000001/", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(AwsTestData.SessionToken, request.Headers["x-amz-security-token"]);
    }

    private sealed class RotatingSource(TimeProvider time) : ICredentialProvider<AwsCredentials>
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string HopName => "aws-test:rotating";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
        {
            int call = Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new AwsCredentials($"ASIAROTATION{call:D8}", AwsTestData.SecretAccessKey, AwsTestData.SessionToken, time.GetUtcNow().AddHours(1)));
        }
    }

    private sealed class FailingSource : ICredentialProvider<AwsCredentials>
    {
        public string HopName => "aws-test:failing";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromException<AwsCredentials>(new CredentialSourceUnavailableException(HopName, "nothing here"));
    }

    private sealed class HandlerFactory(FakeHttpHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => handler.CreateClient();

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
