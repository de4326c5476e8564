using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing;

/// <summary>
/// A running <see cref="CloudEmulator"/> with a ready topology for the five keyless flows, and one in-memory
/// <see cref="FakeSystemEnvironment"/> per workload with the files and variables the platform would give it: the EKS
/// pod's projected token, gcloud's <c>external_account</c> files, a <c>~/.aws/config</c> with a role chain, an EC2
/// instance whose credentials come from instance metadata, a pod whose variables a webhook injected.
/// </summary>
/// <remarks>
/// <para>An integration test takes a workload's environment and runs its own code as that workload:</para>
/// <code>
/// await using DemoTopology demo = await DemoTopology.StartAsync();
/// services.AddSingleton&lt;ISystemEnvironment&gt;(demo.EksPod);
/// services.AddGoogleFromAwsIdentity(o => o.AllowNonStandardEndpoints = true);   // the emulator is http on loopback
/// </code>
/// <para>The flows and their workloads:</para>
/// <list type="table">
/// <item><term>F1 <see cref="EksPod"/></term><description>projected token → Google STS (OIDC provider <c>test-oidc</c>) → impersonation of
/// <see cref="GcsReader"/>, who reads <see cref="AppBucket"/> and writes <see cref="UploadBucket"/>.</description></item>
/// <item><term>F2 <see cref="Ec2Instance"/></term><description>IMDSv2 → <c>aws4_request</c> subject → Google STS (AWS provider
/// <c>ec2-aws</c>) → impersonation of <see cref="BigQueryReader"/>, who queries <c>crosscloud-demo.mydataset.users</c>.</description></item>
/// <item><term>F3 <see cref="EksPod"/></term><description>profile <see cref="TargetProfile"/>: AssumeRoleWithWebIdentity
/// (<see cref="CiRoleArn"/>) → AssumeRole (<see cref="TargetRoleArn"/>); EKS tokens for <see cref="TargetCluster"/>.</description></item>
/// <item><term>F4 <see cref="InjectedPod"/></term><description><c>AWS_ROLE_ARN</c> + <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> →
/// AssumeRoleWithWebIdentity (<see cref="PodRoleArn"/>).</description></item>
/// <item><term>F5 <see cref="TargetAccountPod"/></term><description>F3's role chain (<c>AWS_PROFILE</c>, through
/// <c>UseDefaultAwsCredentialChain</c>) signs the <c>aws4_request</c> subject of an <c>aws1</c> file (AWS provider <c>target-aws</c>) → impersonation of
/// <see cref="Deployer"/>, who reads <see cref="ReleaseBucket"/>.</description></item>
/// </list>
/// <para>Every workload has <c>AWS_ENDPOINT_URL_STS</c> (and the EC2 instance <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>)
/// pointed at the emulator, and every Google endpoint in its files is the emulator's, which speaks http on loopback:
/// the code under test sets <c>AllowNonStandardEndpoints</c>. Nothing is written to disk and nothing is printed;
/// dispose the topology to stop the emulator. This type is thread-safe.</para>
/// </remarks>
public sealed class DemoTopology : IAsyncDisposable
{
    /// <summary>The CI account, also the EC2 instance's.</summary>
    public const string CiAccount = "111111111111";

    /// <summary>The target account the CI role chains into.</summary>
    public const string TargetAccount = "222222222222";

    /// <summary>The EKS pod's IRSA role (trusts <c>system:serviceaccount:ci-namespace:ci-serviceaccount</c>).</summary>
    public const string CiRoleArn = "arn:aws:iam::" + CiAccount + ":role/ci-account-iam-role";

    /// <summary>The target account's role (trusts <see cref="CiRoleArn"/>).</summary>
    public const string TargetRoleArn = "arn:aws:iam::" + TargetAccount + ":role/target-account-iam-role";

    /// <summary>The injected pod's role (trusts <c>system:serviceaccount:default:my-s3-reader-ksa</c>).</summary>
    public const string PodRoleArn = "arn:aws:iam::" + CiAccount + ":role/my-example-workload-role-1";

    /// <summary>The EC2 instance profile's role name.</summary>
    public const string InstanceRoleName = "ec2-bigquery-role";

    /// <summary>The region every workload is in.</summary>
    public const string Region = "us-east-1";

    /// <summary>The Google project number that owns the workload identity pool.</summary>
    public const string ProjectNumber = "123456789012";

    /// <summary>The Google project id (BigQuery's project).</summary>
    public const string ProjectId = "crosscloud-demo";

    /// <summary>The workload identity pool.</summary>
    public const string PoolId = "aws-test";

    /// <summary>F1's service account.</summary>
    public const string GcsReader = "gcs-reader@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>F2's service account.</summary>
    public const string BigQueryReader = "sa01@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>F5's service account.</summary>
    public const string Deployer = "ci-deployer@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>A bucket <see cref="GcsReader"/> may read: <c>readme.txt</c>, <c>reports/2026-11.csv</c>.</summary>
    public const string AppBucket = "eks-app-data";

    /// <summary>An empty bucket <see cref="GcsReader"/> may read and write (<c>roles/storage.objectAdmin</c> and
    /// <c>roles/storage.legacyBucketReader</c>).</summary>
    public const string UploadBucket = "eks-app-uploads";

    /// <summary>A bucket <see cref="Deployer"/> may read: <c>builds/1042/manifest.json</c>, <c>builds/1042/app.tar.gz.sha256</c>.</summary>
    public const string ReleaseBucket = "release-artifacts";

    /// <summary>The BigQuery dataset (table <c>users</c> with <c>id</c>, <c>name</c>, <c>email</c>, <c>created</c>).</summary>
    public const string Dataset = "mydataset";

    /// <summary>The target account's EKS cluster.</summary>
    public const string TargetCluster = "target-cluster";

    /// <summary>The <c>~/.aws/config</c> profile of the CI role (web identity).</summary>
    public const string CiProfile = "ci-env";

    /// <summary>The <c>~/.aws/config</c> profile of the target role (<c>source_profile = ci-env</c>).</summary>
    public const string TargetProfile = "target-env";

    /// <summary>Where EKS projects the IRSA token into a pod (both pods' token files).</summary>
    public const string ProjectedTokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    /// <summary>The EKS pod's file-sourced <c>external_account</c> configuration (F1).</summary>
    public const string EksPodCredentialsFile = "/etc/gcp/credentials.json";

    /// <summary>The <c>aws1</c> configuration of the target account's provider (F5).</summary>
    public const string TargetAccountCredentialsFile = "/etc/gcp/credentials-target-account.json";

    /// <summary>The EC2 instance's <c>aws1</c> configuration (F2).</summary>
    public const string Ec2CredentialsFile = "/etc/gcp/credentials-aws.json";

    /// <summary>The pods' shared AWS config file (<c>~/.aws/config</c> of <c>root</c>).</summary>
    public const string AwsConfigFile = "/root/.aws/config";

    private const string CiSubjectNamespace = "ci-namespace";
    private const string CiSubjectAccount = "ci-serviceaccount";
    private const string PodSubjectNamespace = "default";
    private const string PodSubjectAccount = "my-s3-reader-ksa";

    private DemoTopology(CloudEmulator cloud)
    {
        Cloud = cloud;
    }

    /// <summary>Gets the running emulator (endpoints, request log, fault injection).</summary>
    public CloudEmulator Cloud { get; }

    /// <summary>Gets the EKS cluster's OIDC issuer, which mints the pods' projected tokens.</summary>
    public OidcIssuer Issuer => Cloud.GetOidcIssuer("eks");

    /// <summary>Gets the EKS pod in the CI account (F1, F3): IRSA variables, the projected token,
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c> (file-sourced, provider <c>test-oidc</c>) and <c>AWS_CONFIG_FILE</c> with the
    /// <see cref="CiProfile"/> and <see cref="TargetProfile"/> profiles.</summary>
    public FakeSystemEnvironment EksPod { get; } = new();

    /// <summary>Gets the same pod configured for F5: <c>AWS_PROFILE</c> = <see cref="TargetProfile"/> and
    /// <c>GOOGLE_APPLICATION_CREDENTIALS</c> naming the target account provider's <c>aws1</c> file, so the role chain
    /// signs the subject and Google sees <see cref="TargetRoleArn"/>'s session. An <c>aws1</c> file alone keeps Google's
    /// behaviour (environment keys, then instance metadata): set <c>UseDefaultAwsCredentialChain</c> on the credential
    /// (<c>ConfigureCredential</c>) so that <c>AWS_PROFILE</c> is followed.</summary>
    public FakeSystemEnvironment TargetAccountPod { get; } = new();

    /// <summary>Gets the EC2 instance (F2): <c>GOOGLE_APPLICATION_CREDENTIALS</c> (<c>aws1</c>, provider <c>ec2-aws</c>);
    /// its AWS credentials and region come from the emulated instance metadata.</summary>
    public FakeSystemEnvironment Ec2Instance { get; } = new();

    /// <summary>Gets the pod whose variables a webhook injected (F4): <c>AWS_ROLE_ARN</c>,
    /// <c>AWS_WEB_IDENTITY_TOKEN_FILE</c>, <c>AWS_ROLE_SESSION_NAME</c> and the projected token.</summary>
    public FakeSystemEnvironment InjectedPod { get; } = new();

    /// <summary>Starts the emulator with the topology and lays out every workload's environment.</summary>
    /// <param name="timeProvider">The emulated clouds' clock (expiry of tokens, sessions and signatures); the system
    /// clock when <see langword="null"/>. Pass the same <c>FakeTimeProvider</c> to the code under test.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running topology; dispose it to stop the emulator.</returns>
    public static async Task<DemoTopology> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        WorkloadIdentityProviderBuilder oidc = null!, ec2 = null!, target = null!;
        CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            if (timeProvider is not null)
            {
                b.UseTimeProvider(timeProvider);
            }

            OidcIssuer eks = b.AddOidcIssuer("eks");
            b.AddAwsAccount(CiAccount)
                .AddRole("ci-account-iam-role", t => t.AllowWebIdentity(eks, sub: $"system:serviceaccount:{CiSubjectNamespace}:{CiSubjectAccount}"))
                .AddRole("my-example-workload-role-1", t => t.AllowWebIdentity(eks, sub: $"system:serviceaccount:{PodSubjectNamespace}:{PodSubjectAccount}"))
                .AddRole(InstanceRoleName, t => t.AllowPrincipal("arn:aws:iam::" + CiAccount + ":root"));
            b.AddAwsAccount(TargetAccount)
                .AddRole("target-account-iam-role", t => t.AllowPrincipal(CiRoleArn));
            b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, InstanceRoleName).UseRegion(Region));

            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(ProjectNumber, PoolId);
            oidc = pool.AddOidcProvider("test-oidc", eks)
                .AllowAudiences("sts.amazonaws.com")
                .MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']")
                .MapAttribute("attribute.service_account", "assertion['kubernetes.io']['serviceaccount']['name']")
                .WithCondition($"attribute.namespace == '{CiSubjectNamespace}'");
            ec2 = pool.AddAwsProvider("ec2-aws", CiAccount);
            target = pool.AddAwsProvider("target-aws", TargetAccount)
                .WithCondition($"attribute.aws_role.startsWith('arn:aws:sts::{TargetAccount}:assumed-role/')");

            ServiceAccountBuilder gcsReader = b.AddServiceAccount(GcsReader)
                .GrantWorkloadIdentityUser(pool.Principal($"system:serviceaccount:{CiSubjectNamespace}:{CiSubjectAccount}"));
            ServiceAccountBuilder bqReader = b.AddServiceAccount(BigQueryReader)
                .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{CiAccount}:assumed-role/{InstanceRoleName}"));
            ServiceAccountBuilder deployer = b.AddServiceAccount(Deployer)
                .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{TargetAccount}:assumed-role/target-account-iam-role"));

            b.AddBucket(AppBucket)
                .AddObject("readme.txt", "hello from the emulator")
                .AddObject("reports/2026-11.csv", "id,total\n1,42\n")
                .GrantObjectViewer(gcsReader.Member);
            b.AddBucket(UploadBucket)
                .GrantObjectAdmin(gcsReader.Member)
                .GrantRole("roles/storage.legacyBucketReader", gcsReader.Member);
            b.AddBucket(ReleaseBucket)
                .AddObject("builds/1042/app.tar.gz.sha256", "3f1c  app.tar.gz\n")
                .AddObject("builds/1042/manifest.json", "{\"build\":1042}")
                .GrantObjectViewer(deployer.Member);
            b.AddBigQueryDataset(ProjectId, Dataset)
                .AddTable("users", ["id", "name", "email", "created"],
                    [1, "aaaaa", "aaaaa@example.com", "2021-04-01T03:00:00"],
                    [2, "bbbbb", "bbbbb@example.com", "2021-04-01T06:00:00"],
                    [3, "ccccc", "ccccc@example.com", "2021-04-01T09:00:00"])
                .GrantDataViewer(bqReader.Member);
        }, cancellationToken).ConfigureAwait(false);

        var topology = new DemoTopology(cloud);
        topology.LayOut(oidc, ec2, target);
        return topology;
    }

    /// <summary>Mints new projected tokens into both pods, as the kubelet does before they expire (after a test moved
    /// the clock past the tokens' hour, for example).</summary>
    public void RotateProjectedTokens()
    {
        EksPod.WithFile(ProjectedTokenFile, Issuer.MintServiceAccountToken(CiSubjectNamespace, CiSubjectAccount));
        TargetAccountPod.WithFile(ProjectedTokenFile, EksPod.GetFileText(ProjectedTokenFile)!);
        InjectedPod.WithFile(ProjectedTokenFile, Issuer.MintServiceAccountToken(PodSubjectNamespace, PodSubjectAccount));
    }

    /// <summary>Stops the emulator.</summary>
    /// <returns>A task that completes when every listener has stopped.</returns>
    public ValueTask DisposeAsync() => Cloud.DisposeAsync();

    private void LayOut(WorkloadIdentityProviderBuilder oidc, WorkloadIdentityProviderBuilder ec2, WorkloadIdentityProviderBuilder target)
    {
        string sts = Cloud.AwsStsEndpoint.AbsoluteUri;
        string awsConfig = $"""
            [profile {CiProfile}]
            role_arn = {CiRoleArn}
            web_identity_token_file = {ProjectedTokenFile}

            [profile {TargetProfile}]
            role_arn = {TargetRoleArn}
            source_profile = {CiProfile}
            role_session_name = xactarget

            """;

        // The EKS pod: IRSA's variables and projected token, gcloud's file-sourced configuration, a role chain profile.
        EksPod.WithHomeDirectory("/root")
            .Set("AWS_ROLE_ARN", CiRoleArn)
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", ProjectedTokenFile)
            .Set("AWS_REGION", Region)
            .Set("AWS_CONFIG_FILE", AwsConfigFile)
            .Set("AWS_ENDPOINT_URL_STS", sts)
            .Set("GOOGLE_APPLICATION_CREDENTIALS", EksPodCredentialsFile)
            .WithFile(AwsConfigFile, awsConfig)
            .WithFile(EksPodCredentialsFile, Cloud.CreateCredentialConfiguration(oidc, GcsReader, ProjectedTokenFile));

        // F5 on the same pod: the default AWS chain follows AWS_PROFILE through the role chain.
        TargetAccountPod.WithHomeDirectory("/root")
            .Set("AWS_PROFILE", TargetProfile)
            .Set("AWS_REGION", Region)
            .Set("AWS_CONFIG_FILE", AwsConfigFile)
            .Set("AWS_ENDPOINT_URL_STS", sts)
            .Set("GOOGLE_APPLICATION_CREDENTIALS", TargetAccountCredentialsFile)
            .WithFile(AwsConfigFile, awsConfig)
            .WithFile(TargetAccountCredentialsFile, Cloud.CreateCredentialConfiguration(target, Deployer));

        // The EC2 instance: gcloud's aws1 configuration; credentials and region from IMDSv2.
        Ec2Instance.WithHomeDirectory("/home/ec2-user")
            .Set("AWS_EC2_METADATA_SERVICE_ENDPOINT", Cloud.InstanceMetadataEndpoint.AbsoluteUri)
            .Set("AWS_ENDPOINT_URL_STS", sts)
            .Set("GOOGLE_APPLICATION_CREDENTIALS", Ec2CredentialsFile)
            .WithFile(Ec2CredentialsFile, Cloud.CreateCredentialConfiguration(ec2, BigQueryReader));

        // The webhook-injected pod: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ session name).
        InjectedPod.WithHomeDirectory("/root")
            .Set("AWS_ROLE_ARN", PodRoleArn)
            .Set("AWS_WEB_IDENTITY_TOKEN_FILE", ProjectedTokenFile)
            .Set("AWS_ROLE_SESSION_NAME", "mh9test")
            .Set("AWS_REGION", Region)
            .Set("AWS_ENDPOINT_URL_STS", sts);

        RotateProjectedTokens();
    }
}
