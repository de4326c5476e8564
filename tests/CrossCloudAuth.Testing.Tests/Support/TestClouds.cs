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

    public const string PoolResource = $"projects/{ProjectNumber}/locations/global/workloadIdentityPools/aws-test";
    public const string OidcAudience = $"//iam.googleapis.com/{PoolResource}/providers/test-oidc";
    public const string AwsAudience = $"//iam.googleapis.com/{PoolResource}/providers/aws";
    public const string AwsNodesOnlyAudience = $"//iam.googleapis.com/{PoolResource}/providers/aws-nodes-only";
    public const string TargetAudience = $"//iam.googleapis.com/{PoolResource}/providers/aws-target";
    public const string OtherServiceAccount = "unbound@demo-project.iam.gserviceaccount.com";
    public const string LongLivedServiceAccount = "batch@demo-project.iam.gserviceaccount.com";
    public const string DelegateServiceAccount = "delegate@demo-project.iam.gserviceaccount.com";

    /// <summary>AWS plus the Google side: an OIDC and two AWS providers, service accounts with bindings, a bucket and a dataset.</summary>
    public static Task<CloudEmulator> StartAllAsync(TimeProvider clock, Action<CloudEmulatorBuilder>? extra = null) =>
        StartAwsAsync(clock, b =>
        {
            OidcIssuer eks = b.Issuers["eks"];
            Testing.Google.WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(ProjectNumber, "aws-test");
            pool.AddOidcProvider("test-oidc", eks)
                .AllowAudiences("sts.amazonaws.com")
                .MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']")
                .WithCondition("assertion.sub.startsWith('system:serviceaccount:')");
            pool.AddAwsProvider("aws", CiAccount);
            pool.AddAwsProvider("aws-nodes-only", CiAccount).WithCondition("assertion.arn.contains(':assumed-role/node-role/')");
            pool.AddAwsProvider("aws-target", TargetAccount);
            b.AddServiceAccount(ServiceAccount)
                .GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci:runner"))
                .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{CiAccount}:assumed-role/node-role"))
                .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{TargetAccount}:assumed-role/target-role"));
            b.AddServiceAccount(OtherServiceAccount);
            b.AddServiceAccount(LongLivedServiceAccount).GrantWorkloadIdentityUser(pool.AllIdentities()).AllowLifetimeExtension();
            b.AddServiceAccount(DelegateServiceAccount).GrantWorkloadIdentityUser(pool.PrincipalSet("namespace", "ci"));
            b.ServiceAccounts[ServiceAccount].GrantTokenCreator("serviceAccount:" + DelegateServiceAccount);
            b.AddBucket("demo-bucket")
                .AddObject("reports/2026-11.csv", "id,total\n1,42\n")
                .AddObject("readme.txt", "hello from the emulator")
                .GrantObjectViewer("serviceAccount:" + ServiceAccount);
            b.AddBigQueryDataset("demo-project", "mydataset")
                .AddTable("users", ["id", "name", "email"],
                    [1, "aaaaa", "aaaaa@example.com"],
                    [3, "ccccc", "ccccc@example.com"],
                    [2, "bbbbb", "bbbbb@example.com"])
                .GrantDataViewer("serviceAccount:" + ServiceAccount);
            extra?.Invoke(b);
        });

    public static HttpClient NewHttpClient() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
}
