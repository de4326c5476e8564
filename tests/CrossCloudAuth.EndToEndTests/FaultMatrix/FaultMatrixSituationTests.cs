using System.Net;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Faults;

namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>
/// The rows of the fault matrix that are not a single server fault: a fault while a still-valid token is cached,
/// clock skew, the IMDS session token expiring under the client, and the projected token file changing under it.
/// </summary>
public sealed class FaultMatrixSituationTests
{
    public static TheoryData<string> CachedHops() =>
    [
        MatrixHop.ImdsCredentials, MatrixHop.Container, MatrixHop.AssumeRoleWithWebIdentity, MatrixHop.AssumeRole,
        MatrixHop.GoogleSts, MatrixHop.GenerateAccessToken,
    ];

    public static TheoryData<string, int> SkewedHops()
    {
        var data = new TheoryData<string, int>();
        foreach (string hop in MatrixHop.All.Keys)
        {
            data.Add(hop, -10);
            data.Add(hop, +10);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CachedHops))]
    public async Task Hop_FailingRefreshWhileTokenStillValid_ServesCachedToken(string hopId)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        using HopClient client = hop.Open(world);
        HopCredential first = await client.GetAsync(CancellationToken.None);
        FaultRule rule = world.Cloud.Faults.Add(hop.Service, Fault.Status(HttpStatusCode.ServiceUnavailable), pathContains: hop.PathContains);

        CredentialCacheStatusProbe status = new(client);
        world.Advance(status.RefreshAt - world.LibraryClock.GetUtcNow() + TimeSpan.FromSeconds(1));
        HopCredential duringOutage = await client.GetAsync(CancellationToken.None);
        await rule.WaitForAppliedAsync();
        HopCredential afterFailedRefresh = await client.GetAsync(CancellationToken.None);

        Assert.Equal(first, duringOutage);
        Assert.Equal(first, afterFailedRefresh);
        Assert.True(first.ExpiresOn > world.LibraryClock.GetUtcNow());
    }

    [Theory]
    [MemberData(nameof(SkewedHops))]
    public async Task Hop_LibraryClockSkewedTenMinutes_Served(string hopId, int skewMinutes)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        await using MatrixWorld world = await MatrixWorld.StartAsync(TimeSpan.FromMinutes(skewMinutes));

        DateTimeOffset? expiresOn = await hop.InvokeAsync(world, CancellationToken.None);

        if (hop.HasExpiry)
        {
            Assert.True(expiresOn > world.LibraryClock.GetUtcNow(), $"{hopId}: expires {expiresOn}, library clock {world.LibraryClock.GetUtcNow()}");
        }
    }

    [Fact]
    public async Task ImdsCredentials_401AfterSessionTokenExpired_NewSessionTokenAndRecovered()
    {
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        world.Cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.Status(HttpStatusCode.Unauthorized), times: 1, pathContains: "/security-credentials/");

        DateTimeOffset? expiresOn = await MatrixHop.All[MatrixHop.ImdsCredentials].InvokeAsync(world, CancellationToken.None);

        Assert.True(expiresOn > world.LibraryClock.GetUtcNow());
        Assert.Equal(2, world.Cloud.Requests.For(EmulatedService.InstanceMetadata).Count(r => r.Path.EndsWith("/api/token", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(MatrixHop.GoogleSts)]
    [InlineData(MatrixHop.AssumeRoleWithWebIdentity)]
    public async Task TokenFile_RotatedMidRun_NextExchangePresentsTheNewToken(string hopId)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        await hop.InvokeAsync(world, CancellationToken.None);
        world.Advance(TimeSpan.FromMinutes(1));
        string rotated = await world.WriteTokenAsync();

        await hop.InvokeAsync(world, CancellationToken.None);

        string field = hop.Service == EmulatedService.GoogleSts ? "subject_token" : "WebIdentityToken";
        Assert.Equal(rotated, world.Cloud.Requests.For(hop.Service).Last().Form[field]);
    }

    [Theory]
    [InlineData(MatrixHop.GoogleSts, "deleted", "unavailable")]
    [InlineData(MatrixHop.GoogleSts, "emptied", "unavailable")]
    [InlineData(MatrixHop.AssumeRoleWithWebIdentity, "deleted", "unavailable")]
    [InlineData(MatrixHop.AssumeRoleWithWebIdentity, "emptied", "unavailable")]
    public async Task TokenFile_DeletedOrEmptied_TypedErrorBeforeAnyRequest(string hopId, string change, string expected)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        if (change == "deleted")
        {
            File.Delete(world.TokenFile);
        }
        else
        {
            await File.WriteAllTextAsync(world.TokenFile, string.Empty);
        }

        (string outcome, CrossCloudAuthException? error) = await MatrixRun.OutcomeAsync(world, hop, rule: null, holdsRequest: false);

        Assert.True(expected == outcome, $"{hopId} × token file {change}: expected {expected}, got {outcome}: {error?.Message}");
        Assert.Empty(world.Cloud.Requests.For(hop.Service));
    }

    [Theory]
    [InlineData(MatrixHop.GoogleSts)]
    [InlineData(MatrixHop.AssumeRoleWithWebIdentity)]
    public async Task TokenFile_DeletedWhileTokenCached_ServesCachedToken(string hopId)
    {
        MatrixHop hop = MatrixHop.All[hopId];
        await using MatrixWorld world = await MatrixWorld.StartAsync();
        using HopClient client = hop.Open(world);
        HopCredential first = await client.GetAsync(CancellationToken.None);
        File.Delete(world.TokenFile);

        world.Advance(new CredentialCacheStatusProbe(client).RefreshAt - world.LibraryClock.GetUtcNow() + TimeSpan.FromSeconds(1));
        HopCredential during = await client.GetAsync(CancellationToken.None);

        Assert.Equal(first, during);
    }

    /// <summary>Reads when the cache starts refreshing.</summary>
    private sealed class CredentialCacheStatusProbe(HopClient client)
    {
        public DateTimeOffset RefreshAt => client.Status?.RefreshAt ?? throw new InvalidOperationException("The hop has no cache status.");
    }
}
