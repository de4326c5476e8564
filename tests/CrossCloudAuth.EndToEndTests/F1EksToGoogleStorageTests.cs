using CrossCloudAuth.Samples.Quickstart;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F1: EKS pod with IRSA → projected token file → Google STS (OIDC provider) → impersonation → Cloud Storage.</summary>
public sealed class F1EksToGoogleStorageTests
{
    [Fact]
    public async Task F1_ProjectedTokenAndGcloudFile_ListsAndReadsTheBucket()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var (lines, hops) = await Run.FlowAsync(world, Flows.F1Async);

        Assert.Equal("gs://eks-app-data: readme.txt (23 B), reports/2026-11.csv (14 B)", lines[0]);
        Assert.Equal("gs://eks-app-data/readme.txt: \"hello from the emulator\"", lines[1]);
        Assert.Equal(["google-sts:token-exchange", $"iam-credentials:generateAccessToken({World.GcsReader})", "storage:objects.list(gs://eks-app-data)", "storage:objects.get(gs://eks-app-data/readme.txt)"], hops.Select(h => h.Hop));
        Assert.All(hops, h => Assert.True(h.Succeeded));
        Assert.Contains("principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/subject/system:serviceaccount:ci-namespace:ci-serviceaccount", hops[0].Became);
    }

    [Fact]
    public async Task F1_ProviderDoesNotAllowTheTokenAudience_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { OidcAllowedAudience = "https://iam.googleapis.com/some/other/provider" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("audience", error.Message, StringComparison.OrdinalIgnoreCase);
        Errors.AssertActionable(error, "google-sts", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F1_AttributeConditionFalse_UnauthorizedClientAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { OidcCondition = "attribute.namespace == 'production'" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("unauthorized_client", error.ErrorCode);
        Assert.Contains("condition", error.Message, StringComparison.OrdinalIgnoreCase);
        Errors.AssertActionable(error, "google-sts", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F1_NoWorkloadIdentityUserBinding_PermissionDeniedGivesTheBindingCommand()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { BindF1 = false });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("PERMISSION_DENIED", error.ErrorCode);
        Assert.Contains("roles/iam.workloadIdentityUser", error.Message, StringComparison.Ordinal);
        // The fix names the pool's member form and the gcloud command to run.
        Assert.Contains($"add-iam-policy-binding {World.GcsReader} --role=roles/iam.workloadIdentityUser --member=\"principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/subject/", error.Message, StringComparison.Ordinal);
        Errors.AssertActionable(error, $"iam-credentials:generateAccessToken({World.GcsReader})", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F1_ExpiredProjectedToken_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string expired = world.Issuer.MintServiceAccountToken("ci-namespace", "ci-serviceaccount", lifetime: TimeSpan.FromHours(1), issuedAt: DateTimeOffset.UtcNow.AddHours(-3));
        await world.WriteEksPodTokenAsync(expired);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", expired);
    }

    [Fact]
    public async Task F1_TamperedProjectedToken_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string tampered = OidcIssuer.Tamper(await File.ReadAllTextAsync(world.EksPodTokenFile));
        await world.WriteEksPodTokenAsync(tampered);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", tampered);
    }

    [Fact]
    public async Task F1_TokenSignedByAKeyTheIssuerNeverPublished_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string forged = world.Issuer.MintWithUntrustedKey("ci-namespace", "ci-serviceaccount");
        await world.WriteEksPodTokenAsync(forged);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", forged);
    }

    [Fact]
    public async Task F1_TokenFromAKubeletWhoseClockRunsAnHourAhead_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string early = world.Issuer.MintServiceAccountToken("ci-namespace", "ci-serviceaccount", issuedAt: DateTimeOffset.UtcNow.AddHours(1));
        await world.WriteEksPodTokenAsync(early);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F1Async);

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", early);
    }

    [Fact]
    public async Task F1_ProjectedTokenFileMissing_CredentialUnavailableNamesTheFile()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        File.Delete(world.EksPodTokenFile);

        var error = await Run.FailingFlowAsync<CrossCloudAuthException>(world, Flows.F1Async);

        Assert.IsType<CredentialSourceUnavailableException>(error);
        Errors.AssertActionable(error, "file:");
        Assert.Contains(world.EksPodTokenFile, error.Message, StringComparison.Ordinal);
    }
}
