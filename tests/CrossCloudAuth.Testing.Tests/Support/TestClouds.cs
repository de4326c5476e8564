using CrossCloudAuth.Testing.Oidc;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Testing.Tests.Support;

/// <summary>The topology most tests share: seeds 000–003 in miniature.</summary>
internal static class TestClouds
{
    public const string CiAccount = "111122223333";
    public const string TargetAccount = "444455556666";
    public const string ProjectNumber = "123456789012";
    public const string ServiceAccount = "reader@demo-project.iam.gserviceaccount.com";
    public static readonly string CiRoleArn = $"arn:aws:iam::{CiAccount}:role/ci-role";
    public static readonly string TargetRoleArn = $"arn:aws:iam::{TargetAccount}:role/target-role";
    public static readonly string NodeRoleArn = $"arn:aws:iam::{CiAccount}:role/node-role";

    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public static Task<CloudEmulator> StartAwsAsync(TimeProvider clock, Action<CloudEmulatorBuilder>? extra = null) =>
        CloudEmulator.StartAsync(b =>
        {
            b.UseTimeProvider(clock);
            OidcIssuer eks = b.AddOidcIssuer("eks");
            b.AddOidcIssuer("other");
            b.AddAwsAccount(CiAccount)
                .AddRole("ci-role", t => t.AllowWebIdentity(eks, sub: "system:serviceaccount:ci:runner"))
                .AddRole("wildcard-role", t => t.AllowWebIdentity(eks, sub: "system:serviceaccount:apps:*"))
                .AddRole("node-role", t => t.AllowPrincipal("ec2.amazonaws.com"))
                .AddRole("external-role", t => t.AllowPrincipal(CiRoleArn).RequireExternalId("ext-123"));
            b.AddAwsAccount(TargetAccount)
                .AddRole("target-role", t => t.AllowPrincipal(CiRoleArn), maxSessionDuration: TimeSpan.FromHours(4));
            b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, "node-role").UseRegion("us-east-2", "us-east-2b"));
            b.ConfigureContainerCredentials(c => c.UseRole(CiAccount, "node-role").RequireAuthorizationToken("pod-identity-token"));
            extra?.Invoke(b);
        });

    public static HttpClient Http() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
}
