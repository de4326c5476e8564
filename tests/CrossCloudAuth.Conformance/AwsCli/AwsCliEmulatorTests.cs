using System.Text.Json.Nodes;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Oidc;
using Xunit.Abstractions;

namespace CrossCloudAuth.Conformance.AwsCli;

/// <summary>
/// The AWS CLI (botocore underneath) against the project's emulator: its instance metadata must speak what botocore
/// expects (IMDSv2), its AWS STS must verify botocore's SigV4 signatures and accept its web-identity calls.
/// </summary>
public sealed class AwsCliEmulatorTests(AwsCliEmulatorTests.Emulator emulator, ITestOutputHelper output)
    : IClassFixture<AwsCliEmulatorTests.Emulator>
{
    private const string CiAccount = "111122223333";
    private const string Region = "us-east-2";

    [ConformanceFact(ConformanceTool.AwsCli)]
    public async Task GetCallerIdentity_WithInstanceRoleFromEmulatorImds_IsVerifiedByEmulatorSts()
    {
        ConformanceTools.Require(ConformanceTool.AwsCli);
        var cloud = await emulator.GetAsync();

        var result = await Infrastructure.AwsCli.RunAsync(
            ["sts", "get-caller-identity", "--endpoint-url", cloud.AwsStsEndpoint.ToString()],
            new Dictionary<string, string>
            {
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = cloud.InstanceMetadataEndpoint.ToString(),
                ["AWS_DEFAULT_REGION"] = Region,
            });

        output.WriteLine(result.StandardError);
        result.EnsureSuccess();
        var identity = JsonNode.Parse(result.StandardOutput)!;
        Assert.StartsWith($"arn:aws:sts::{CiAccount}:assumed-role/node-role/", (string?)identity["Arn"]);
        var imds = cloud.Requests.For(EmulatedService.InstanceMetadata);
        output.WriteLine(string.Join("\n", imds.Select(r => $"{r.Method} {r.Path} {string.Join(' ', r.Headers.Where(h => h.Key.StartsWith("x-aws-ec2", StringComparison.OrdinalIgnoreCase)).Select(h => h.Key + "=" + (h.Key.EndsWith("ttl-seconds", StringComparison.OrdinalIgnoreCase) ? h.Value : "…")))} -> {(int?)r.StatusCode}")));
        Assert.Contains(imds, r => r.Method == "PUT" && r.Path == "/latest/api/token");
        Assert.All(imds.Where(r => r.Method == "GET"), r => Assert.True(r.Headers.Keys.Any(k => k.Equals("x-aws-ec2-metadata-token", StringComparison.OrdinalIgnoreCase)), $"{r.Path} without a session token"));
        Assert.Contains(cloud.Requests.For(EmulatedService.AwsSts), r => r.StatusCode == System.Net.HttpStatusCode.OK);
    }

    [ConformanceFact(ConformanceTool.AwsCli)]
    public async Task AssumeRoleWithWebIdentity_WithMintedToken_Succeeds()
    {
        ConformanceTools.Require(ConformanceTool.AwsCli);
        var cloud = await emulator.GetAsync();
        var token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        var result = await Infrastructure.AwsCli.RunAsync(
            ["sts", "assume-role-with-web-identity", "--endpoint-url", cloud.AwsStsEndpoint.ToString(),
             "--role-arn", $"arn:aws:iam::{CiAccount}:role/ci-role", "--role-session-name", "aws-cli", "--web-identity-token", token],
            new Dictionary<string, string> { ["AWS_DEFAULT_REGION"] = Region, ["AWS_EC2_METADATA_DISABLED"] = "true" });

        result.EnsureSuccess();
        var response = JsonNode.Parse(result.StandardOutput)!;
        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/aws-cli", (string?)response["AssumedRoleUser"]!["Arn"]);
        Assert.False(string.IsNullOrEmpty((string?)response["Credentials"]!["SessionToken"]));
    }

    [ConformanceFact(ConformanceTool.AwsCli)]
    public async Task GetCallerIdentity_WithWebIdentityEnvironment_ChainsThroughEmulatorSts()
    {
        // botocore's own web-identity provider (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), as in seed 002.
        ConformanceTools.Require(ConformanceTool.AwsCli);
        var cloud = await emulator.GetAsync();
        using var folder = new TemporaryDirectory("aws-cli-web-identity");
        var tokenFile = folder.File("token");
        await File.WriteAllTextAsync(tokenFile, cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        var result = await Infrastructure.AwsCli.RunAsync(
            ["sts", "get-caller-identity", "--endpoint-url", cloud.AwsStsEndpoint.ToString()],
            new Dictionary<string, string>
            {
                ["AWS_ROLE_ARN"] = $"arn:aws:iam::{CiAccount}:role/ci-role",
                ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
                ["AWS_ROLE_SESSION_NAME"] = "botocore-pod",
                ["AWS_DEFAULT_REGION"] = Region,
                ["AWS_ENDPOINT_URL_STS"] = cloud.AwsStsEndpoint.ToString(),
            });

        output.WriteLine(result.StandardError);
        foreach (var r in cloud.Requests.For(EmulatedService.AwsSts))
        {
            output.WriteLine($"{r.Method} {r.Path}{r.Query} {r.Form.GetValueOrDefault("Action")} -> {(int?)r.StatusCode} {r.ErrorCode}");
        }

        result.EnsureSuccess();
        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/ci-role/botocore-pod", (string?)JsonNode.Parse(result.StandardOutput)!["Arn"]);
    }

    [ConformanceFact(ConformanceTool.AwsCli)]
    public async Task AssumeRoleWithWebIdentity_WithTamperedToken_IsRefused()
    {
        ConformanceTools.Require(ConformanceTool.AwsCli);
        var cloud = await emulator.GetAsync();
        var token = OidcIssuer.Tamper(cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        var result = await Infrastructure.AwsCli.RunAsync(
            ["sts", "assume-role-with-web-identity", "--endpoint-url", cloud.AwsStsEndpoint.ToString(),
             "--role-arn", $"arn:aws:iam::{CiAccount}:role/ci-role", "--role-session-name", "aws-cli", "--web-identity-token", token],
            new Dictionary<string, string> { ["AWS_DEFAULT_REGION"] = Region, ["AWS_EC2_METADATA_DISABLED"] = "true" });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("InvalidIdentityToken", result.StandardError);
    }

    /// <summary>The emulator on the real clock (the CLI signs with the wall clock), started on first use.</summary>
    public sealed class Emulator : IAsyncLifetime
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private CloudEmulator? _cloud;

        public async Task<CloudEmulator> GetAsync()
        {
            await _gate.WaitAsync();
            try
            {
                return _cloud ??= await CloudEmulator.StartAsync(b =>
                {
                    var eks = b.AddOidcIssuer("eks");
                    b.AddAwsAccount(CiAccount)
                        .AddRole("ci-role", t => t.AllowWebIdentity(eks, sub: "system:serviceaccount:ci:runner"))
                        .AddRole("node-role", t => t.AllowPrincipal("ec2.amazonaws.com"));
                    b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, "node-role").UseRegion(Region, Region + "a"));
                });
            }
            finally
            {
                _gate.Release();
            }
        }

        Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

        async Task IAsyncLifetime.DisposeAsync()
        {
            if (_cloud is not null)
            {
                await _cloud.DisposeAsync();
            }

            _gate.Dispose();
        }
    }
}
