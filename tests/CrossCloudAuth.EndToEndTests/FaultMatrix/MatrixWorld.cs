using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Oidc;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>
/// One emulator and one workload for a fault-matrix case: the emulator and the library share a
/// <see cref="FakeTimeProvider"/> (the library's may be skewed), every hop has a short deadline and no retry delay,
/// so hangs and backoff are driven by moving the clock, never by waiting.
/// </summary>
internal sealed class MatrixWorld : IAsyncDisposable
{
    public const string CiAccount = "111122223333";
    public const string TargetAccount = "444455556666";
    public const string ProjectNumber = "123456789012";
    public const string ServiceAccount = "reader@demo-project.iam.gserviceaccount.com";
    public const string PodToken = "pod-identity-token";
    public const string Audience = $"//iam.googleapis.com/projects/{ProjectNumber}/locations/global/workloadIdentityPools/aws/providers/eks";
    public static readonly string CiRoleArn = $"arn:aws:iam::{CiAccount}:role/ci-role";
    public static readonly string TargetRoleArn = $"arn:aws:iam::{TargetAccount}:role/target-role";

    /// <summary>The longest deadline of any hop here; moving the clock this far times out any held request.</summary>
    public static readonly TimeSpan LongestDeadline = TimeSpan.FromSeconds(5);

    private readonly string _directory;

    private MatrixWorld(CloudEmulator cloud, FakeTimeProvider emulatorClock, FakeTimeProvider libraryClock, string directory)
    {
        Cloud = cloud;
        EmulatorClock = emulatorClock;
        LibraryClock = libraryClock;
        _directory = directory;
        TokenFile = Path.Combine(directory, "token");
        Environment = new MatrixEnvironment();
    }

    public CloudEmulator Cloud { get; }

    public FakeTimeProvider EmulatorClock { get; }

    public FakeTimeProvider LibraryClock { get; }

    public string TokenFile { get; }

    public ISystemEnvironment Environment { get; }

    public OidcIssuer Issuer => Cloud.GetOidcIssuer("eks");

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Starts a world whose library clock runs <paramref name="skew"/> ahead of the emulator's.</summary>
    public static async Task<MatrixWorld> StartAsync(TimeSpan skew = default)
    {
        // The AWS SDK signs with the real clock, so the fake clocks start at the real time; they only move forward by seconds.
        DateTimeOffset start = TimeProvider.System.GetUtcNow();
        var emulatorClock = new FakeTimeProvider(start);
        var libraryClock = new FakeTimeProvider(start + skew);
        CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            b.UseTimeProvider(emulatorClock);
            OidcIssuer eks = b.AddOidcIssuer("eks");
            b.AddAwsAccount(CiAccount)
                .AddRole("ci-role", t => t.AllowWebIdentity(eks, sub: "system:serviceaccount:ci:runner"))
                .AddRole("node-role", t => t.AllowPrincipal("ec2.amazonaws.com"));
            b.AddAwsAccount(TargetAccount).AddRole("target-role", t => t.AllowPrincipal(CiRoleArn));
            b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, "node-role").UseRegion("us-east-2"));
            b.ConfigureContainerCredentials(c => c.UseRole(CiAccount, "node-role").RequireAuthorizationToken(PodToken));
            var pool = b.AddWorkloadIdentityPool(ProjectNumber, "aws");
            pool.AddOidcProvider("eks", eks).AllowAudiences("sts.amazonaws.com");
            b.AddServiceAccount(ServiceAccount).GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci:runner"));
        });
        string directory = Directory.CreateTempSubdirectory("fault-matrix-").FullName;
        var world = new MatrixWorld(cloud, emulatorClock, libraryClock, directory);
        await world.WriteTokenAsync();
        return world;
    }

    /// <summary>Writes a fresh projected service-account token, as the kubelet does when it rotates it.</summary>
    public async Task<string> WriteTokenAsync()
    {
        string token = Issuer.MintServiceAccountToken("ci", "runner", audience: "sts.amazonaws.com");
        string temporary = TokenFile + ".new";
        await File.WriteAllTextAsync(temporary, token);
        File.Move(temporary, TokenFile, overwrite: true);
        return token;
    }

    /// <summary>Moves both clocks forward together.</summary>
    public void Advance(TimeSpan by)
    {
        EmulatorClock.Advance(by);
        LibraryClock.Advance(by);
    }

    /// <summary>The library's view of the process: the matrix's environment and its clock.</summary>
    private CredentialContext Context => new() { Environment = Environment, TimeProvider = LibraryClock };

    public RefreshAheadCache<AwsCredentials> Imds() => Cache(new Ec2InstanceMetadataCredentialSource(ImdsOptions(), Context));

    public Ec2InstanceMetadataCredentialSource ImdsSource() => new(ImdsOptions(), Context);

    public RefreshAheadCache<AwsCredentials> Container() => Cache(new ContainerCredentialSource(
        new ContainerCredentialSourceOptions { FullUri = Cloud.ContainerCredentialsUri, AuthorizationToken = PodToken, HttpClient = Http, RequestTimeout = TimeSpan.FromSeconds(2), Retry = Retry() },
        Context));

    public RefreshAheadCache<AwsCredentials> WebIdentity() => Cache(new WebIdentityCredentialSource(
        new WebIdentityCredentialSourceOptions { RoleArn = CiRoleArn, WebIdentityTokenFile = TokenFile, RoleSessionName = "matrix", Sts = Sts() },
        Context));

    public RefreshAheadCache<AwsCredentials> AssumeRole() => Cache(new AssumeRoleCredentialSource(
        new FixedCredentials(Cloud.IssueRoleSession(CiRoleArn, "matrix")),
        new AssumeRoleCredentialSourceOptions { RoleArn = TargetRoleArn, RoleSessionName = "matrix", Sts = Sts() },
        Context));

    public GoogleFederatedCredential Google(bool impersonate) => GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
    {
        Audience = Audience,
        SubjectTokenSource = new FileSubjectTokenSource(TokenFile, SubjectTokenTypes.Jwt, context: Context),
        TokenUrl = Cloud.GoogleStsTokenUri,
        ServiceAccountImpersonationUrl = impersonate ? Cloud.ServiceAccountImpersonationUri(ServiceAccount) : null,
        AllowNonStandardEndpoints = true,
        RequestTimeout = LongestDeadline,
        Retry = Retry(),
    }, new CredentialContext { Environment = Environment, TimeProvider = LibraryClock, HttpClient = Http });

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        Http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private RefreshAheadCache<AwsCredentials> Cache(ICredentialProvider<AwsCredentials> source) =>
        new(source, new RefreshAheadCacheOptions { JitterRatio = 0 }, Context);

    private Ec2InstanceMetadataCredentialSourceOptions ImdsOptions() => new()
    {
        Endpoint = Cloud.InstanceMetadataEndpoint,
        AllowAnyEndpoint = true,
        HttpClient = Http,
        RequestTimeout = TimeSpan.FromSeconds(1),
        Retry = Retry(),
    };

    private AwsStsOptions Sts() => new() { ServiceUrl = Cloud.AwsStsEndpoint, Region = "us-east-1", HttpClient = Http, Timeout = LongestDeadline, Retry = Retry() };

    /// <summary>The shipped number of attempts with no backoff delay: retries happen without moving the clock, so
    /// only a held request needs the clock moved (backoff timing has its own tests beside the retry pipeline).</summary>
    private static HopRetryOptions Retry() => new() { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };

    /// <summary>Credentials handed to AssumeRole as its source, so that the only STS call is AssumeRole itself.</summary>
    private sealed class FixedCredentials(AwsCredentials credentials) : ICredentialProvider<AwsCredentials>
    {
        public string HopName => "fixed";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);
    }

    /// <summary>No environment variables; files read from disk with the cap the library asks for.</summary>
    private sealed class MatrixEnvironment : ISystemEnvironment
    {
        public string? GetEnvironmentVariable(string name) => null;

        public string? HomeDirectory => null;

        public ValueTask<byte[]> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken = default) =>
            SystemEnvironment.Instance.ReadFileAsync(path, maxBytes, cancellationToken);
    }
}
