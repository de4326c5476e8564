using CrossCloudAuth.Samples.Quickstart;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F3: CI pod → AssumeRoleWithWebIdentity (ci role) → AssumeRole (target account) → AWS SDK and an EKS token.</summary>
public sealed class F3RoleChainTests
{
    [Fact]
    public async Task F3_Seed001Profiles_AwsSdkAndEksTokenActAsTheTargetRole()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var (lines, hops) = await Run.FlowAsync(world, Flows.F3Async);

        const string Target = "arn:aws:sts::222222222222:assumed-role/target-account-iam-role/xactarget";
        Assert.Equal($"AWS SDK (AmazonSecurityTokenServiceClient over CachedAwsCredentials) acts as {Target}", lines[0]);
        Assert.Equal($"the cluster's authenticator replays it and sees {Target}", lines[^1]);
        Assert.Equal(
            [$"aws-sts:AssumeRoleWithWebIdentity({World.CiRoleArn})", $"aws-sts:AssumeRole({World.TargetRoleArn})", "aws-sts:GetCallerIdentity", "aws-sts:GetCallerIdentity (EKS token check)"],
            hops.Select(h => h.Hop));
        Assert.StartsWith("arn:aws:sts::111111111111:assumed-role/ci-account-iam-role/", hops[0].Became, StringComparison.Ordinal);
    }

    [Fact]
    public async Task F3_TargetRoleDoesNotTrustTheCiRole_AccessDeniedAtAssumeRole()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { TargetRoleTrusts = "arn:aws:iam::111111111111:role/some-other-role" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F3Async);

        Assert.Equal("AccessDenied", error.ErrorCode);
        Errors.AssertActionable(error, $"aws-sts:AssumeRole({World.TargetRoleArn})", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F3_CiRoleTrustsAnotherServiceAccount_AccessDeniedAtWebIdentity()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { CiRoleSubject = "system:serviceaccount:ci-namespace:deployer" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F3Async);

        Assert.Equal("AccessDenied", error.ErrorCode);
        Errors.AssertActionable(error, $"aws-sts:AssumeRoleWithWebIdentity({World.CiRoleArn})", await File.ReadAllTextAsync(world.EksPodTokenFile));
    }

    [Fact]
    public async Task F3_ExpiredProjectedToken_RejectedAtWebIdentity()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        string expired = world.Issuer.MintServiceAccountToken("ci-namespace", "ci-serviceaccount", lifetime: TimeSpan.FromHours(1), issuedAt: DateTimeOffset.UtcNow.AddHours(-3));
        await world.WriteEksPodTokenAsync(expired);

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F3Async);

        Assert.Contains(error.ErrorCode, new[] { "ExpiredTokenException", "InvalidIdentityToken" });
        Errors.AssertActionable(error, $"aws-sts:AssumeRoleWithWebIdentity({World.CiRoleArn})", expired);
    }
}
