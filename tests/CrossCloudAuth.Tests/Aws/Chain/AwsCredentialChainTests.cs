using CrossCloudAuth.Platform;
using System.Net;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Chain;

/// <summary>
/// The cached-by-default entry points: every link is one hop behind exactly one cache, hops built from a link read its
/// cache, and disposing the last link frees what the chain owns. STS is faked at the HTTP level; its answers follow
/// the fake clock so that refreshes can be driven without waiting.
/// </summary>
public sealed class AwsCredentialChainTests : IDisposable
{
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    private const string CiRole = "arn:aws:iam::111111111111:role/ci-account-iam-role";
    private const string TargetRole = "arn:aws:iam::222222222222:role/target-account-iam-role";
    private const string OtherRole = "arn:aws:iam::333333333333:role/other-account-iam-role";
    private const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/aws";
    private const int Reads = 50;

    private readonly FakeTimeProvider _time = new(AwsTestData.Now);
    private readonly FakeSystemEnvironment _environment = new();
    private readonly FakeHttpHandler _http = new();
    private readonly HttpClient _client;
    private int _issued;

    public AwsCredentialChainTests()
    {
        _environment.WithFile(TokenFile, Fixtures.ProjectedToken)
            .Set("AWS_ROLE_ARN", CiRole)
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", TokenFile)
            .Set("AWS_REGION", "us-east-1");
        _http.On(HttpMethod.Post, "/", StsAnswer);
        _client = _http.CreateClient();
    }

    /// <summary>Plumbing with a deterministic cache schedule: no spread of the first refresh, no jitter.</summary>
    private CredentialContext Plumbing => new()
    {
        TimeProvider = _time,
        Environment = _environment,
        HttpClient = _client,
    };

    private static RefreshAheadCacheOptions Schedule => new() { SpreadFirstRefresh = false, JitterRatio = 0 };

    private string[] StsActions => [.. _http.Requests.Select(r => StsResponses.Form(r)["Action"])];

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task FromWebIdentity_ManyReadsThroughEveryAdapter_CallsStsOnce()
    {
        using AwsCredentialChain ci = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);

        AwsCredentials first = await ci.GetAsync();
        await Task.WhenAll(Enumerable.Range(0, Reads).Select(async _ => Assert.Same(first, await ci.GetAsync())));
        for (int i = 0; i < Reads; i++)
        {
            Assert.Equal(first.AccessKeyId, (await ci.SdkCredentials.GetCredentialsAsync()).AccessKey);
        }

        Assert.Equal(["AssumeRoleWithWebIdentity"], StsActions);
        Assert.Equal($"aws-sts:AssumeRoleWithWebIdentity({CiRole})", ci.HopName);
        Assert.Equal(CredentialCacheState.Fresh, ci.GetStatus().State);
        Assert.Equal(first.ExpiresOn, ci.GetStatus().ExpiresOn);
    }

    [Fact]
    public async Task AssumeRole_TwoRolesDeep_CachesEachHopOnceAndRefreshesOnlyTheExpiredHop()
    {
        using AwsCredentialChain other = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule)
            .AssumeRole(TargetRole)
            .AssumeRole(OtherRole, o => o.Duration = TimeSpan.FromMinutes(15));

        AwsCredentials first = await other.GetAsync();
        for (int i = 0; i < Reads; i++)
        {
            Assert.Same(first, await other.GetAsync());
        }

        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole"], StsActions);

        // Past the last hop's 15 minutes, inside the target role's hour: only the last hop calls STS again, signed
        // with the target role's cached credentials.
        _time.Advance(TimeSpan.FromMinutes(16));
        AwsCredentials second = await other.GetAsync();

        Assert.NotEqual(first.AccessKeyId, second.AccessKeyId);
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole", "AssumeRole"], StsActions);
        Dictionary<string, string> lastForm = new(StsResponses.Form(_http.Requests[^1]));
        Assert.Equal(OtherRole, lastForm["RoleArn"]);
        Assert.Contains("Credential=ASIA00000000000000002/", _http.Requests[^1].Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_TwoBranchesFromOneLink_ShareItsCache()
    {
        AwsCredentialChain ci = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);
        using AwsCredentialChain target = ci.AssumeRole(TargetRole);
        using AwsCredentialChain other = ci.AssumeRole(OtherRole);

        for (int i = 0; i < Reads; i++)
        {
            await target.GetAsync();
            await other.GetAsync();
        }

        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole"], StsActions);
    }

    [Fact]
    public async Task EksToken_ManyReads_SignsOnceWithOneCredentialFetch()
    {
        DelegateCredentialSource<AwsCredentials> source = new((_, _) => ValueTask.FromResult(Credentials(TimeSpan.FromHours(1))));
        using AwsCredentialChain chain = AwsCredentialChain.From(source, Plumbing, Schedule);
        RefreshAheadCache<AuthToken> eks = chain.EksToken("target-cluster");

        AuthToken first = await eks.GetAsync();
        for (int i = 0; i < Reads; i++)
        {
            Assert.Same(first, await eks.GetAsync());
        }

        Assert.StartsWith(EksTokenSource.TokenPrefix, first.Token, StringComparison.Ordinal);
        Assert.Equal("aws-eks:token(target-cluster)", eks.HopName);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GoogleSubject_ManySubjectTokens_FetchesAwsCredentialsOnce()
    {
        DelegateCredentialSource<AwsCredentials> source = new((_, _) => ValueTask.FromResult(Credentials(TimeSpan.FromHours(1))));
        using AwsCredentialChain chain = AwsCredentialChain.From(source, Plumbing, Schedule);
        AwsSubjectTokenSource subject = chain.GoogleSubject(Audience);

        for (int i = 0; i < Reads; i++)
        {
            Assert.Contains("GetCallerIdentity", Uri.UnescapeDataString(await subject.GetSubjectTokenAsync()), StringComparison.Ordinal);
        }

        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GoogleCredential_ManyReads_ExchangesOnceOverOneAwsFetch()
    {
        FakeHttpHandler google = new();
        google.On(HttpMethod.Post, "/v1/token", HttpStatusCode.OK,
            """{"access_token":"ya29.federated","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}""",
            "application/json");
        using HttpClient googleClient = google.CreateClient();
        DelegateCredentialSource<AwsCredentials> source = new((_, _) => ValueTask.FromResult(Credentials(TimeSpan.FromHours(1))));
        using AwsCredentialChain chain = AwsCredentialChain.From(source, Plumbing, Schedule);
        GoogleFederatedCredential credential = chain.GoogleCredential(Audience, o => o.HttpClient = googleClient);

        for (int i = 0; i < Reads; i++)
        {
            Assert.Equal("ya29.federated", (await credential.GetAsync()).Token);
        }

        Assert.Single(google.Requests);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public void GoogleCredential_FileSourcedConfiguration_ThrowsConfigurationNamingTheAwsFlag()
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse($$$"""
            {"type":"external_account","audience":"{{{Audience}}}","subject_token_type":"urn:ietf:params:oauth:token-type:jwt",
             "token_url":"https://sts.googleapis.com/v1/token","credential_source":{"file":"/var/run/token"}}
            """, "test-config");
        DelegateCredentialSource<AwsCredentials> source = new((_, _) => ValueTask.FromResult(Credentials(TimeSpan.FromHours(1))));
        using AwsCredentialChain chain = AwsCredentialChain.From(source, Plumbing, Schedule);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => chain.GoogleCredentialFromConfiguration(configuration));

        Assert.Contains("--aws", error.Message, StringComparison.Ordinal);
        Assert.Contains("test-config", error.HopName, StringComparison.Ordinal);
        Assert.Equal(0, source.Calls);
    }

    [Fact]
    public void From_SourceThatAlreadyCaches_IsNotCachedAgain()
    {
        DelegateCredentialSource<AwsCredentials> source = new((_, _) => ValueTask.FromResult(Credentials(TimeSpan.FromHours(1))));
        using RefreshAheadCache<AwsCredentials> cache = new(source, null, _time);
        using DefaultAwsCredentialChain defaultChain = new(null, _environment, _time);

        using AwsCredentialChain fromCache = AwsCredentialChain.From(cache, Plumbing, Schedule);
        using AwsCredentialChain fromDefault = AwsCredentialChain.From(defaultChain, Plumbing, Schedule);
        using AwsCredentialChain fromLink = AwsCredentialChain.From(fromCache, Plumbing, Schedule);
        using AwsCredentialChain fromSource = AwsCredentialChain.From(source, Plumbing, Schedule);

        Assert.Same(cache, fromCache.Credentials);
        Assert.Same(defaultChain, fromDefault.Credentials);
        Assert.Same(fromCache, fromLink.Credentials);
        RefreshAheadCache<AwsCredentials> wrapped = Assert.IsType<RefreshAheadCache<AwsCredentials>>(fromSource.Credentials);
        Assert.Equal(source.HopName, wrapped.HopName);
    }

    [Fact]
    public async Task FromDefault_WebIdentityEnvironment_CallsStsOnceThroughThePlumbingClient()
    {
        using AwsCredentialChain aws = AwsCredentialChain.FromDefault(context: Plumbing, cache: Schedule);

        for (int i = 0; i < Reads; i++)
        {
            await aws.GetAsync();
        }

        Assert.IsType<DefaultAwsCredentialChain>(aws.Credentials);
        Assert.Equal(CredentialCacheState.Fresh, aws.GetStatus().State);
        Assert.Equal(["AssumeRoleWithWebIdentity"], StsActions);
    }

    [Fact]
    public async Task Dispose_LastLinkOfAFluentChain_FreesEveryLinkAndWhatTheyHandedOut()
    {
        AwsCredentialChain ci = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);
        AwsCredentialChain target = ci.AssumeRole(TargetRole);
        RefreshAheadCache<AuthToken> eks = target.EksToken("target-cluster");
        CachedAwsCredentials sdk = target.SdkCredentials;
        await eks.GetAsync();

        target.Dispose();

        Assert.True(target.IsFreed);
        Assert.True(ci.IsFreed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => eks.GetAsync().AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ci.Credentials.GetAsync().AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(sdk.GetCredentialsAsync);
        Assert.Throws<ObjectDisposedException>(() => ci.AssumeRole(OtherRole));
    }

    [Fact]
    public async Task Dispose_OneOfTwoBranches_KeepsTheSharedLinkUntilTheLast()
    {
        AwsCredentialChain ci = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);
        AwsCredentialChain target = ci.AssumeRole(TargetRole);
        AwsCredentialChain other = ci.AssumeRole(OtherRole);

        target.Dispose();
        await other.GetAsync();

        Assert.False(ci.IsFreed);
        other.Dispose();
        Assert.True(ci.IsFreed);
    }

    [Fact]
    public async Task Dispose_LinkWithALiveLinkBuiltFromIt_RefusesCallsButKeepsServingTheLaterLink()
    {
        AwsCredentialChain ci = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);
        using AwsCredentialChain target = ci.AssumeRole(TargetRole);

        ci.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => ci.GetAsync().AsTask());
        Assert.False(ci.IsFreed);
        await target.GetAsync();
        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole"], StsActions);
    }

    [Fact]
    public async Task Dispose_BorrowedSource_StaysUsableUnlessOwned()
    {
        using AwsCredentialChain shared = AwsCredentialChain.FromWebIdentity(context: Plumbing, cache: Schedule);
        DisposableSource owned = new(Credentials(TimeSpan.FromHours(1)));

        AwsCredentialChain.From(shared, Plumbing, Schedule).AssumeRole(TargetRole).Dispose();
        AwsCredentialChain.From(owned, Plumbing, Schedule, ownsSource: true).Dispose();

        Assert.False(shared.IsFreed);
        await shared.GetAsync();
        Assert.True(owned.Disposed);
    }

    private static AwsCredentials Credentials(TimeSpan lifetime) =>
        new(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, AwsTestData.Now + lifetime);

    /// <summary>Answers STS per action, with credentials that expire relative to the fake clock (web identity 12 h,
    /// AssumeRole its asked duration or 1 h) and a distinct key id per call.</summary>
    private async Task<HttpResponseMessage> StsAnswer(HttpRequestMessage request)
    {
        string body = await request.Content!.ReadAsStringAsync();
        int n = Interlocked.Increment(ref _issued);
        string keyId = $"ASIA{n:D17}";
        DateTimeOffset now = _time.GetUtcNow();
        if (body.Contains("Action=AssumeRoleWithWebIdentity", StringComparison.Ordinal))
        {
            return await StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(now.AddHours(12), keyId))(request);
        }

        int seconds = body.Contains("DurationSeconds=900", StringComparison.Ordinal) ? 900 : 3600;
        return await StsResponses.Ok(StsResponses.AssumeRole(now.AddSeconds(seconds), keyId))(request);
    }

    private sealed class DisposableSource(AwsCredentials credentials) : ICredentialProvider<AwsCredentials>, IDisposable
    {
        private int _disposed;

        public string HopName => "test:disposable";

        public bool Disposed => Volatile.Read(ref _disposed) != 0;

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);
    }
}
