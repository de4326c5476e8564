using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;

/// <summary>The clouds of seeds 000–003 in miniature: an EKS issuer, a CI and a target AWS account, an instance role, a workload identity pool, a service account, a bucket and a dataset.</summary>
internal sealed class DemoTopology
{
    public const string CiAccount = "111122223333";
    public const string TargetAccount = "444455556666";
    public const string ProjectNumber = "123456789012";
    public const string ServiceAccount = "sa01@demo-project.iam.gserviceaccount.com";
    public const string PodNamespace = "ci-namespace";
    public const string PodServiceAccount = "ci-serviceaccount";
    public const string Bucket = "your-gcs-name";

    public static string CiRoleArn => $"arn:aws:iam::{CiAccount}:role/ci-account-iam-role";

    public static string TargetRoleArn => $"arn:aws:iam::{TargetAccount}:role/target-account-iam-role";

    public OidcIssuer Issuer { get; private set; } = null!;

    public WorkloadIdentityProviderBuilder OidcProvider { get; private set; } = null!;

    public WorkloadIdentityProviderBuilder AwsProvider { get; private set; } = null!;

    public WorkloadIdentityProviderBuilder TargetProvider { get; private set; } = null!;

    public void Configure(CloudEmulatorBuilder b)
    {
        Issuer = b.AddOidcIssuer("eks");

        // Seed 001: a CI account role trusted by the cluster's service account, chaining into a target account.
        b.AddAwsAccount(CiAccount)
            .AddRole("ci-account-iam-role", t => t.AllowWebIdentity(Issuer, sub: $"system:serviceaccount:{PodNamespace}:{PodServiceAccount}"))
            .AddRole("eks-node-role", t => t.AllowPrincipal("ec2.amazonaws.com"));
        b.AddAwsAccount(TargetAccount)
            .AddRole("target-account-iam-role", t => t.AllowPrincipal(CiRoleArn));

        // Seed 003: an EC2 instance whose role reaches Google through an AWS provider.
        b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, "eks-node-role").UseRegion("us-east-1", "us-east-1a"));
        b.ConfigureContainerCredentials(c => c.UseRole(CiAccount, "eks-node-role").RequireAuthorizationToken("emulator-pod-identity-token"));

        // Seed 000: a pool with an OIDC provider for the EKS issuer (audience sts.amazonaws.com) and AWS providers.
        WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(ProjectNumber, "aws-test");
        OidcProvider = pool.AddOidcProvider("test-oidc", Issuer)
            .AllowAudiences("sts.amazonaws.com")
            .MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']")
            .MapAttribute("attribute.service_account", "assertion['kubernetes.io']['serviceaccount']['name']");
        AwsProvider = pool.AddAwsProvider("myprovider01", CiAccount);
        TargetProvider = pool.AddAwsProvider("target-provider", TargetAccount)
            .WithCondition("assertion.arn.contains(':assumed-role/target-account-iam-role/')");

        b.AddServiceAccount(ServiceAccount)
            .GrantWorkloadIdentityUser(pool.PrincipalSet("service_account", PodServiceAccount))
            .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{CiAccount}:assumed-role/eks-node-role"))
            .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{TargetAccount}:assumed-role/target-account-iam-role"));

        b.AddBucket(Bucket)
            .AddObject("reports/2026-11.csv", "id,total\n1,42\n2,17\n")
            .AddObject("hello.txt", "Hello from the CrossCloudAuth emulator.\n")
            .GrantObjectViewer("serviceAccount:" + ServiceAccount);

        b.AddBigQueryDataset("demo-project", "mydataset")
            .AddTable("users", ["id", "name", "email", "created"],
                [1, "aaaaa", "aaaaa@example.com", new DateTimeOffset(2021, 4, 1, 3, 0, 0, TimeSpan.Zero)],
                [2, "bbbbb", "bbbbb@example.com", new DateTimeOffset(2021, 4, 1, 6, 0, 0, TimeSpan.Zero)],
                [3, "ccccc", "ccccc@example.com", new DateTimeOffset(2021, 4, 1, 9, 0, 0, TimeSpan.Zero)],
                [4, "ddddd", "ddddd@example.com", new DateTimeOffset(2021, 4, 1, 12, 0, 0, TimeSpan.Zero)],
                [5, "eeeee", "eeeee@example.com", new DateTimeOffset(2021, 4, 1, 15, 0, 0, TimeSpan.Zero)])
            .GrantDataViewer("serviceAccount:" + ServiceAccount);
    }
}
