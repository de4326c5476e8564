using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Samples.Quickstart;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>F2: EC2 instance → IMDSv2 → aws4_request subject → Google STS (AWS provider) → impersonation → BigQuery.</summary>
public sealed class F2Ec2ToBigQueryTests
{
    [Fact]
    public async Task F2_Aws1ConfigurationOnAnInstance_QueriesBigQuery()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var (lines, hops) = await Run.FlowAsync(world, Flows.F2Async);

        Assert.Equal("bigquery: SELECT * FROM mydataset.users ORDER BY id", lines[0]);
        Assert.Equal(4, lines.Count);
        Assert.Contains("\"email\":\"aaaaa@example.com\"", lines[1], StringComparison.Ordinal);
        HopRecord exchange = Assert.Single(hops, h => h.Hop == "google-sts:token-exchange");
        Assert.Contains("attribute.aws_role/arn:aws:sts::111111111111:assumed-role/ec2-bigquery-role", exchange.Became, StringComparison.Ordinal);
        Assert.Contains(hops, h => h.Hop == "aws-imds:session-token");
        Assert.Contains(hops, h => h.Hop == $"iam-credentials:generateAccessToken({World.BigQueryReader})");
    }

    [Fact]
    public async Task F2_AttributeConditionFalse_UnauthorizedClientAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { Ec2Condition = "attribute.aws_role.endsWith('/some-other-role')" });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F2Async);

        Assert.Equal("unauthorized_client", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts");
    }

    [Fact]
    public async Task F2_InstanceRoleNotBoundToTheServiceAccount_PermissionDeniedGivesThePrincipalSetForm()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync(new WorldOptions { BindF2 = false });

        var error = await Run.FailingFlowAsync<CredentialRequestFailedException>(world, Flows.F2Async);

        Assert.Equal("PERMISSION_DENIED", error.ErrorCode);
        Assert.Contains("roles/iam.workloadIdentityUser", error.Message, StringComparison.Ordinal);
        Assert.Contains("--member=\"principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/attribute.aws_role/arn:aws:sts::", error.Message, StringComparison.Ordinal);
        Errors.AssertActionable(error, $"iam-credentials:generateAccessToken({World.BigQueryReader})");
    }

    [Fact]
    public async Task F2_TamperedSignature_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        var (configuration, instance) = await InstanceAsync(world);
        AwsCredentials keys = await instance.GetAsync();
        using GoogleFederatedCredential credential = await AwsSubjectCredentials.BuildAsync(configuration, instance, world.Ec2Instance, tamperSignature: true);

        var error = await Assert.ThrowsAsync<CredentialRequestFailedException>(async () => await credential.GetAccessTokenAsync(["https://www.googleapis.com/auth/bigquery"]));

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", keys.SecretAccessKey, keys.SessionToken!);
    }

    [Fact]
    public async Task F2_InstanceClockTwentyMinutesAhead_InvalidGrantAtGoogleSts()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        var (configuration, instance) = await InstanceAsync(world);
        AwsCredentials keys = await instance.GetAsync();
        using GoogleFederatedCredential credential = await AwsSubjectCredentials.BuildAsync(configuration, instance, world.Ec2Instance, signerClock: new SkewedTimeProvider(TimeSpan.FromMinutes(20)));

        var error = await Assert.ThrowsAsync<CredentialRequestFailedException>(async () => await credential.GetAccessTokenAsync(["https://www.googleapis.com/auth/bigquery"]));

        Assert.Equal("invalid_grant", error.ErrorCode);
        Errors.AssertActionable(error, "google-sts", keys.SecretAccessKey, keys.SessionToken!);
    }

    [Fact]
    public async Task F2_MetadataUrlsOfTheEmulatorWithoutTheExplicitOverride_ConfigurationRefused()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();

        var error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => GoogleFederatedCredential.FromEnvironmentAsync(context: new CredentialContext { Environment = world.Ec2Instance }));

        Assert.Contains("AllowNonStandardEndpoints", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"[{error.HopName}]", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(ExternalAccountConfiguration Configuration, RefreshAheadCache<AwsCredentials> Instance)> InstanceAsync(EmulatedWorld world)
    {
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFromEnvironmentAsync(world.Ec2Instance);
        var instance = new RefreshAheadCache<AwsCredentials>(new Ec2InstanceMetadataCredentialSource(
            new Ec2InstanceMetadataCredentialSourceOptions { Endpoint = world.Cloud.InstanceMetadataEndpoint }, new CredentialContext { Environment = world.Ec2Instance }));
        return (configuration, instance);
    }
}
