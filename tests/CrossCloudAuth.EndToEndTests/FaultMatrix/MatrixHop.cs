using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Testing;

namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>
/// A hop of the matrix: which emulated service (and path) answers it, the hop name its errors carry, and how
/// the library is asked for its result (through the cache users go through). Returns the credential's expiry.
/// </summary>
internal sealed record MatrixHop(string Id, string HopName, EmulatedService Service, string? PathContains, bool HasExpiry, Func<MatrixWorld, HopClient> Open)
{
    /// <summary>Opens the hop's client, asks it once, and returns the credential's expiry.</summary>
    public async Task<DateTimeOffset?> InvokeAsync(MatrixWorld world, CancellationToken cancellationToken)
    {
        using HopClient client = Open(world);
        return (await client.GetAsync(cancellationToken)).ExpiresOn;
    }

    public const string ImdsSessionToken = "imds-session-token";
    public const string ImdsCredentials = "imds-credentials";
    public const string ImdsRegion = "imds-region";
    public const string Container = "container";
    public const string AssumeRoleWithWebIdentity = "sts-web-identity";
    public const string AssumeRole = "sts-assume-role";
    public const string GoogleSts = "google-sts";
    public const string GenerateAccessToken = "iam-access-token";
    public const string GenerateIdToken = "iam-id-token";

    public static readonly IReadOnlyDictionary<string, MatrixHop> All = new[]
    {
        new MatrixHop(ImdsSessionToken, "aws-imds:session-token", EmulatedService.InstanceMetadata, "/api/token", HasExpiry: false, w => HopClient.For(w.Imds())),
        new MatrixHop(ImdsCredentials, "aws-imds:credentials", EmulatedService.InstanceMetadata, "/security-credentials/", HasExpiry: true, w => HopClient.For(w.Imds())),
        new MatrixHop(ImdsRegion, "aws-imds:region", EmulatedService.InstanceMetadata, "/placement/region", HasExpiry: false, w => HopClient.ForRegion(w.ImdsSource())),
        new MatrixHop(Container, "aws-container:credentials", EmulatedService.ContainerCredentials, null, HasExpiry: true, w => HopClient.For(w.Container())),
        new MatrixHop(AssumeRoleWithWebIdentity, "aws-sts:AssumeRoleWithWebIdentity", EmulatedService.AwsSts, null, HasExpiry: true, w => HopClient.For(w.WebIdentity())),
        new MatrixHop(AssumeRole, "aws-sts:AssumeRole", EmulatedService.AwsSts, null, HasExpiry: true, w => HopClient.For(w.AssumeRole())),
        new MatrixHop(GoogleSts, "google-sts", EmulatedService.GoogleSts, null, HasExpiry: true, w => HopClient.For(w.Google(impersonate: false))),
        new MatrixHop(GenerateAccessToken, "generateAccessToken", EmulatedService.IamCredentials, ":generateAccessToken", HasExpiry: true, w => HopClient.For(w.Google(impersonate: true))),
        new MatrixHop(GenerateIdToken, "generateIdToken", EmulatedService.IamCredentials, ":generateIdToken", HasExpiry: true, w => HopClient.ForIdToken(w.Google(impersonate: true))),
    }.ToDictionary(h => h.Id);
}

/// <summary>What a hop handed out: an identifying value (never printed) and its expiry.</summary>
internal sealed record HopCredential(string Value, DateTimeOffset? ExpiresOn);

/// <summary>A hop's client as users hold it: one cache (or credential) asked repeatedly.</summary>
internal sealed class HopClient(Func<CancellationToken, Task<HopCredential>> get, Func<CredentialCacheStatus>? status, IDisposable owner) : IDisposable
{
    public Task<HopCredential> GetAsync(CancellationToken cancellationToken) => get(cancellationToken);

    public CredentialCacheStatus? Status => status?.Invoke();

    public static HopClient For(RefreshAheadCache<AwsCredentials> cache) =>
        new(async ct => { AwsCredentials c = await cache.GetAsync(ct); return new HopCredential(c.AccessKeyId, c.ExpiresOn); }, cache.GetStatus, cache);

    public static HopClient For(GoogleFederatedCredential credential) =>
        new(async ct => { AuthToken t = await credential.GetAsync(ct); return new HopCredential(t.Token, t.ExpiresOn); }, credential.GetStatus, credential);

    public static HopClient ForIdToken(GoogleFederatedCredential credential) =>
        new(async ct => { AuthToken t = await credential.GetIdTokenAsync("https://service.example", cancellationToken: ct); return new HopCredential(t.Token, t.ExpiresOn); }, null, credential);

    public static HopClient ForRegion(Ec2InstanceMetadataCredentialSource source) =>
        new(async ct => new HopCredential(await source.GetRegionAsync(ct), null), null, new NothingToDispose());

    public void Dispose() => owner.Dispose();

    private sealed class NothingToDispose : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
