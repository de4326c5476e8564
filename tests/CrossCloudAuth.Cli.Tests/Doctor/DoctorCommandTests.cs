using System.Text.Json;
using CrossCloudAuth.Cli.Emulator;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Faults;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Cli.Tests.Doctor;

public sealed class DoctorCommandTests
{
    private const string Google = "GOOGLE_APPLICATION_CREDENTIALS";

    [Fact]
    public async Task Doctor_HealthyF1_WalksConfigurationTokenStsAndImpersonation()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        (int code, JsonElement report) = await DoctorAsync(cloud.PodVariables.With("AWS_ROLE_ARN", null));

        Assert.Equal(ExitCodes.Success, code);
        Assert.True(report.GetProperty("healthy").GetBoolean());
        Assert.Equal(
            ["google:credential-configuration", "subject-token:file", "google-sts:token-exchange", $"iam-credentials:generateAccessToken({LocalCloud.ServiceAccount})"],
            Hops(report));
        JsonElement token = report.GetProperty("hops")[1].GetProperty("details");
        Assert.Equal(LocalCloud.PodSubject, token.GetProperty("sub").GetString());
        Assert.Equal("sts.amazonaws.com", token.GetProperty("aud").GetString());
        Assert.Contains(LocalCloud.ServiceAccount, report.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_HealthyF2_ShowsInstanceMetadataAndTheRoleGoogleSees()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        (int code, JsonElement report) = await DoctorAsync(cloud.InstanceVariables);

        Assert.Equal(ExitCodes.Success, code);
        string[] hops = Hops(report);
        Assert.Contains("aws-imds:session-token", hops);
        Assert.Contains("aws-imds:credentials(node-role)", hops);
        Assert.Contains("aws-sts:GetCallerIdentity(what Google sees)", hops);
        Assert.Equal("google-sts:token-exchange", hops[^2]);
        Assert.Contains(report.GetProperty("hops").EnumerateArray(), h => h.GetProperty("returned").GetString()!.Contains("assumed-role/node-role", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_HealthyF3_WalksTheRoleChainAndChecksTheEksToken()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        (int code, JsonElement report) = await DoctorAsync(cloud.PodVariables.With(Google, null), "--role-arn", LocalCloud.TargetRoleArn, "--cluster", LocalCloud.Cluster);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(
            ["web-identity:token-file", $"aws-sts:AssumeRoleWithWebIdentity({LocalCloud.AppRoleArn})", $"aws-sts:AssumeRole({LocalCloud.TargetRoleArn})", "aws-sts:GetCallerIdentity(EKS token)"],
            Hops(report));
        Assert.StartsWith($"arn:aws:sts::{LocalCloud.TargetAccount}:assumed-role/target-role/", report.GetProperty("hops")[3].GetProperty("returned").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_HealthyTree_IsReadableAndShowsNoSecret()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        string projected = (await File.ReadAllTextAsync(cloud.TokenFile)).Trim();

        CliResult result = await CliRunner.RunAsync(cloud.PodVariables, "doctor", "--cluster", LocalCloud.Cluster);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("crosscloud doctor: healthy", result.Output, StringComparison.Ordinal);
        Assert.Contains("├── ✓ google-sts:token-exchange", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(projected[..40], result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(projected.Split('.')[2][..20], result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ya29.", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("k8s-aws-v1.", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz-Signature", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ProviderRejectsTheTokensAudience_StopsAtGoogleStsWithAllowedAudiencesFix()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.OidcAllowedAudience = "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/eks-oidc");

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, "google-sts:token-exchange", "google-wrong-audience");

        Assert.Contains("update-oidc eks-oidc --project=123456789012 --location=global --workload-identity-pool=aws-pool --allowed-audiences=sts.amazonaws.com", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ProviderTrustsAnotherIssuer_StopsAtGoogleStsWithIssuerFix()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.OidcProviderTrustsOtherIssuer = true);

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, "google-sts:token-exchange", "google-wrong-issuer");

        Assert.Contains($"--issuer-uri={cloud.Cloud.GetOidcIssuer("eks").Issuer}", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_AttributeConditionFalse_StopsAtGoogleStsNamingTheWorkloadsAttributes()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.OidcCondition = "attribute.namespace == 'production'");

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, "google-sts:token-exchange", "google-attribute-condition");

        Assert.Contains("namespace=default", diagnosis.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("--format='value(attributeCondition,attributeMapping)'", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_MissingWorkloadIdentityUserBinding_PrintsGcloudWithTheRealSubject()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.BindPodPrincipal = false);

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, $"iam-credentials:generateAccessToken({LocalCloud.ServiceAccount})", "google-missing-binding");

        Assert.Contains(
            $"gcloud iam service-accounts add-iam-policy-binding {LocalCloud.ServiceAccount} --role=roles/iam.workloadIdentityUser --member=\"principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/subject/{LocalCloud.PodSubject}\"",
            diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_MissingBindingForAnInstanceRole_PrintsGcloudWithTheRolesPrincipalSet()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.BindInstanceRole = false);

        JsonElement diagnosis = await StopsAtAsync(cloud.InstanceVariables, $"iam-credentials:generateAccessToken({LocalCloud.ServiceAccount})", "google-missing-binding");

        Assert.Contains(
            $"--member=\"principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-pool/attribute.aws_role/arn:aws:sts::{LocalCloud.AppAccount}:assumed-role/node-role\"",
            diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_TrustPolicySubjectMismatch_StopsAtAssumeRoleWithWebIdentityWithTheConditionToWrite()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.AppRoleSubject = "system:serviceaccount:default:other");

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Google, null), $"aws-sts:AssumeRoleWithWebIdentity({LocalCloud.AppRoleArn})", "aws-trust-policy");

        string issuerHost = cloud.Cloud.GetOidcIssuer("eks").HostPath;
        Assert.Contains($"\"{issuerHost}:sub\": \"{LocalCloud.PodSubject}\"", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains("aws iam update-assume-role-policy --role-name app-role", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_RoleTrustsAnotherAudience_StopsAtAssumeRoleWithWebIdentityNamingTheTokensAudience()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.AppRoleAudience = "sts.example.com");

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Google, null), $"aws-sts:AssumeRoleWithWebIdentity({LocalCloud.AppRoleArn})", "aws-oidc-audience");

        Assert.Contains($"add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::{LocalCloud.AppAccount}:oidc-provider/{cloud.Cloud.GetOidcIssuer("eks").HostPath} --client-id sts.amazonaws.com", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ProviderDisabledOrUnknown_StopsAtGoogleStsWithDescribeAndRegenerateFix()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.OidcProviderDisabled = true);

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, "google-sts:token-exchange", "google-unknown-provider");

        string fix = diagnosis.GetProperty("fix").GetString()!;
        Assert.Contains("gcloud iam workload-identity-pools providers describe eks-oidc --project=123456789012 --location=global --workload-identity-pool=aws-pool", fix, StringComparison.Ordinal);
        Assert.Contains("create-cred-config", fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_AccountHasNoOidcProviderForThePodsIssuer_StopsAtAssumeRoleWithWebIdentityWithCreateProviderFix()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(configure: o => o.AppRoleTrustsOtherIssuer = true);

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Google, null), $"aws-sts:AssumeRoleWithWebIdentity({LocalCloud.AppRoleArn})", "aws-oidc-missing");

        string issuer = cloud.Cloud.GetOidcIssuer("eks").Issuer;
        Assert.Contains($"has no IAM OIDC provider for the issuer {issuer}", diagnosis.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains($"aws iam create-open-id-connect-provider --url {issuer} --client-id-list sts.amazonaws.com", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ProjectedTokenFileExpired_StopsAtTheFileBeforeAnyExchange()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        string expired = cloud.Cloud.GetOidcIssuer("eks").MintServiceAccountToken("default", "app", lifetime: TimeSpan.FromHours(1), issuedAt: TimeProvider.System.GetUtcNow().AddHours(-2));
        await File.WriteAllTextAsync(cloud.TokenFile, expired);

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables, "subject-token:file", "subject-token-expired");

        Assert.Contains("projected path", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Empty(cloud.Cloud.Requests.For(EmulatedService.GoogleSts));
    }

    [Fact]
    public async Task Doctor_OidcProviderJwksUnreachable_StopsAtAssumeRoleWithWebIdentityWithThumbprintFix()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        cloud.Cloud.Faults.Add(EmulatedService.Oidc, Fault.DropConnection());

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Google, null), $"aws-sts:AssumeRoleWithWebIdentity({LocalCloud.AppRoleArn})", "aws-oidc-unreachable");

        Assert.Contains("/.well-known/openid-configuration", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains("update-open-id-connect-provider-thumbprint", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ImdsSessionTokenGetsNoAnswer_NamesTheContainerHopLimit()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        cloud.Cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.DropConnection(), pathContains: "/latest/api/token");

        JsonElement diagnosis = await StopsAtAsync(cloud.InstanceVariables, "aws-imds:session-token", "imds-hop-limit");

        Assert.Contains("--http-put-response-hop-limit 2", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ChainedRoleAskedForTwoHours_WarnsOfTheOneHourLimitTheLibraryWorkedAround()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        (int code, JsonElement report) = await DoctorAsync(cloud.PodVariables.With(Google, null), "--role-arn", LocalCloud.TargetRoleArn, "--duration-seconds", "7200");

        Assert.Equal(ExitCodes.Success, code);
        JsonElement note = Assert.Single(report.GetProperty("notes").EnumerateArray());
        Assert.Equal("aws-chained-duration", note.GetProperty("pitfall").GetString());
        Assert.Contains("3600", note.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Contains(cloud.Cloud.Requests.For(EmulatedService.AwsSts), r => r.Form.GetValueOrDefault("Action") == "AssumeRole" && r.Form.GetValueOrDefault("DurationSeconds") == "3600");
    }

    [Fact]
    public async Task Doctor_LocalClockTwentyMinutesAhead_WarnsOfClockSkewFromTheServicesDate()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        var skewed = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddMinutes(20));

        (int code, JsonElement report) = await DoctorAsync(cloud.PodVariables.With(Google, null), skewed, "--role-arn", LocalCloud.TargetRoleArn);

        // The STS client corrects its signing clock from STS's Date header (as the AWS SDKs do), so the walk succeeds; the
        // doctor still says why.
        Assert.Equal(ExitCodes.Success, code);
        JsonElement note = Assert.Single(report.GetProperty("notes").EnumerateArray());
        Assert.Equal("clock-skew", note.GetProperty("pitfall").GetString());
        Assert.Contains("+20 minutes", note.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_LocalClockTwentyMinutesBehind_StopsAtTheTokenFileNamingClockSkew()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();
        var skewed = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddMinutes(-20));

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Google, null), "web-identity:token-file", "clock-skew", skewed);

        Assert.Contains("Synchronise the clock", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ConfigurationPointsAtNonGoogleEndpoints_StopsAtTheConfiguration()
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync();

        JsonElement diagnosis = await StopsAtAsync(cloud.PodVariables.With(Plumbing.AllowLoopbackVariable, null), "google:credential-configuration", "config-non-google-endpoint");

        Assert.Contains("create-cred-config", diagnosis.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Empty(cloud.Cloud.Requests.For(EmulatedService.GoogleSts));
    }

    private static Task<JsonElement> StopsAtAsync(IReadOnlyDictionary<string, string> variables, string hop, string pitfall, params string[] args) =>
        StopsAtAsync(variables, hop, pitfall, null, args);

    private static async Task<JsonElement> StopsAtAsync(IReadOnlyDictionary<string, string> variables, string hop, string pitfall, TimeProvider? clock, params string[] args)
    {
        (int code, JsonElement report) = await DoctorAsync(variables, clock, args);

        Assert.True(code == ExitCodes.HopFailed, report.ToString());
        Assert.False(report.GetProperty("healthy").GetBoolean());
        Assert.True(report.GetProperty("stoppedAt").GetString() == hop, report.ToString());
        Assert.Equal(hop, Hops(report)[^1]);
        JsonElement diagnosis = report.GetProperty("diagnosis");
        Assert.True(diagnosis.GetProperty("pitfall").GetString() == pitfall, report.ToString());
        return diagnosis;
    }

    private static Task<(int, JsonElement)> DoctorAsync(IReadOnlyDictionary<string, string> variables, params string[] args) => DoctorAsync(variables, null, args);

    private static async Task<(int, JsonElement)> DoctorAsync(IReadOnlyDictionary<string, string> variables, TimeProvider? clock, params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(variables, clock, ["doctor", "--json", .. args]);
        Assert.True(result.Output.Length > 0, result.Error);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        return (result.ExitCode, json.RootElement.Clone());
    }

    private static string[] Hops(JsonElement report) => [.. report.GetProperty("hops").EnumerateArray().Select(h => h.GetProperty("name").GetString()!)];
}
