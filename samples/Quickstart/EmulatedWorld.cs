using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>Knobs of the emulated world, so that tests can break one thing at a time (the defaults make every flow succeed).</summary>
public sealed class WorldOptions
{
    /// <summary>Gets or sets the audience the OIDC provider of F1 accepts (seed 000: <c>sts.amazonaws.com</c>, the IRSA token's).</summary>
    public string OidcAllowedAudience { get; set; } = "sts.amazonaws.com";

    /// <summary>Gets or sets the attribute condition of the OIDC provider of F1.</summary>
    public string? OidcCondition { get; set; } = "attribute.namespace == 'ci-namespace'";

    /// <summary>Gets or sets the attribute condition of the AWS provider of F2.</summary>
    public string? Ec2Condition { get; set; }

    /// <summary>Gets or sets the attribute condition of the AWS provider of F5.</summary>
    public string? TargetCondition { get; set; } = "attribute.aws_role.startsWith('arn:aws:sts::222222222222:assumed-role/')";

    /// <summary>Gets or sets a value indicating whether F1's service account grants <c>roles/iam.workloadIdentityUser</c> to the pod's principal.</summary>
    public bool BindF1 { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether F2's service account grants <c>roles/iam.workloadIdentityUser</c> to the instance role.</summary>
    public bool BindF2 { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether F5's service account grants <c>roles/iam.workloadIdentityUser</c> to the target role.</summary>
    public bool BindF5 { get; set; } = true;

    /// <summary>Gets or sets whom the target account's role trusts (seed 001: the CI account's role).</summary>
    public string TargetRoleTrusts { get; set; } = World.CiRoleArn;

    /// <summary>Gets or sets the <c>sub</c> the CI role's trust policy requires (seed 001).</summary>
    public string CiRoleSubject { get; set; } = "system:serviceaccount:ci-namespace:ci-serviceaccount";

    /// <summary>Gets or sets the <c>sub</c> the F4 role's trust policy requires (seed 002).</summary>
    public string PodRoleSubject { get; set; } = "system:serviceaccount:default:my-s3-reader-ksa";

    /// <summary>Gets or sets the emulated clouds' clock (the system clock when <see langword="null"/>).</summary>
    public TimeProvider? CloudClock { get; set; }
}

/// <summary>The names of the emulated world: accounts, roles, pools, service accounts and data, after the seeds.</summary>
public static class World
{
    /// <summary>The CI account (seed 001's <c>CI_ACCOUNT_ID</c>), also the EC2 instance's.</summary>
    public const string CiAccount = "111111111111";

    /// <summary>The target account (seed 001's <c>TARGET_ACCOUNT_ID</c>).</summary>
    public const string TargetAccount = "222222222222";

    /// <summary>The CI pod's IRSA role (seed 001).</summary>
    public const string CiRoleArn = "arn:aws:iam::" + CiAccount + ":role/ci-account-iam-role";

    /// <summary>The target account's role (seed 001).</summary>
    public const string TargetRoleArn = "arn:aws:iam::" + TargetAccount + ":role/target-account-iam-role";

    /// <summary>The webhook-injected pod's role (seed 002).</summary>
    public const string PodRoleArn = "arn:aws:iam::" + CiAccount + ":role/my-example-workload-role-1";

    /// <summary>The EC2 instance profile's role (seed 003).</summary>
    public const string InstanceRoleName = "ec2-bigquery-role";

    /// <summary>The Google project number owning the pool.</summary>
    public const string ProjectNumber = "123456789012";

    /// <summary>The Google project id.</summary>
    public const string ProjectId = "crosscloud-demo";

    /// <summary>The workload identity pool (seed 000).</summary>
    public const string PoolId = "aws-test";

    /// <summary>F1's service account.</summary>
    public const string GcsReader = "gcs-reader@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>F2's service account (seed 003).</summary>
    public const string BigQueryReader = "sa01@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>F5's service account.</summary>
    public const string Deployer = "ci-deployer@" + ProjectId + ".iam.gserviceaccount.com";

    /// <summary>F1's bucket.</summary>
    public const string AppBucket = "eks-app-data";

    /// <summary>A bucket F1's service account may read and write (<c>roles/storage.objectAdmin</c>, plus
    /// <c>roles/storage.legacyBucketReader</c> for bucket metadata): where the Cloud Storage sample uploads.</summary>
    public const string UploadBucket = "eks-app-uploads";

    /// <summary>F5's bucket.</summary>
    public const string ReleaseBucket = "release-artifacts";

    /// <summary>The target account's EKS cluster.</summary>
    public const string TargetCluster = "target-cluster";

    /// <summary>Where EKS projects the IRSA token into a pod.</summary>
    public const string ProjectedTokenPath = "var/run/secrets/eks.amazonaws.com/serviceaccount/token";
}

/// <summary>
/// The emulator plus a realistic layout in a temporary folder: an EKS pod (projected IRSA token minted by the emulated
/// cluster issuer, a gcloud <c>external_account</c> file, seed 001's <c>~/.aws/config</c>), an EC2 instance (IMDSv2,
/// an <c>aws1</c> file) and a webhook-injected pod (seed 002's variables). Nothing touches the process environment.
/// </summary>
public sealed class EmulatedWorld : IAsyncDisposable
{
    private EmulatedWorld(CloudEmulator cloud, string root)
    {
        Cloud = cloud;
        Root = root;
    }

    /// <summary>Gets the running emulator.</summary>
    public CloudEmulator Cloud { get; }

    /// <summary>Gets the temporary folder that holds every workload's files.</summary>
    public string Root { get; }

    /// <summary>Gets the CI cluster pod of F1, F3 and F5.</summary>
    public SandboxEnvironment EksPod { get; private set; } = null!;

    /// <summary>Gets the EC2 instance of F2.</summary>
    public SandboxEnvironment Ec2Instance { get; private set; } = null!;

    /// <summary>Gets the webhook-injected pod of F4.</summary>
    public SandboxEnvironment InjectedPod { get; private set; } = null!;

    /// <summary>Gets the CI pod's projected token file.</summary>
    public string EksPodTokenFile => Path.Combine(Root, "eks-pod", World.ProjectedTokenPath);

    /// <summary>Gets the injected pod's projected token file.</summary>
    public string InjectedPodTokenFile => Path.Combine(Root, "gke-pod", World.ProjectedTokenPath);

    /// <summary>Gets F5's <c>aws1</c> configuration file (the target account's AWS provider).</summary>
    public string F5CredentialFile => Path.Combine(Root, "eks-pod", "etc", "gcp", "credentials-target-account.json");

    /// <summary>Gets the settings that run every flow against this world.</summary>
    public QuickstartSettings Settings { get; private set; } = null!;

    /// <summary>Gets the CI cluster's OIDC issuer.</summary>
    public OidcIssuer Issuer => Cloud.GetOidcIssuer("eks");

    /// <summary>Starts the emulator and lays out the workloads.</summary>
    /// <param name="options">Knobs for negative tests; the defaults make every flow succeed.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The world; dispose it to stop the emulator and delete the folder.</returns>
    public static async Task<EmulatedWorld> StartAsync(WorldOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new WorldOptions();
        WorkloadIdentityProviderBuilder oidc = null!, ec2 = null!, target = null!;
        CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            if (options.CloudClock is { } clock)
            {
                b.UseTimeProvider(clock);
            }

            OidcIssuer eks = b.AddOidcIssuer("eks");

            // AWS (seeds 001, 002, 003): the CI pod's IRSA role, the target account's role it chains into,
            // the webhook-injected pod's role, the EC2 instance role.
            b.AddAwsAccount(World.CiAccount)
                .AddRole("ci-account-iam-role", t => t.AllowWebIdentity(eks, sub: options.CiRoleSubject))
                .AddRole("my-example-workload-role-1", t => t.AllowWebIdentity(eks, sub: options.PodRoleSubject))
                .AddRole(World.InstanceRoleName, t => t.AllowPrincipal("arn:aws:iam::" + World.CiAccount + ":root"));
            b.AddAwsAccount(World.TargetAccount)
                .AddRole("target-account-iam-role", t => t.AllowPrincipal(options.TargetRoleTrusts));
            b.ConfigureInstanceMetadata(m => m.UseRole(World.CiAccount, World.InstanceRoleName).UseRegion("us-east-1"));

            // Google (seeds 000, 003): one pool, an OIDC provider for the cluster, AWS providers for both accounts.
            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(World.ProjectNumber, World.PoolId);
            oidc = pool.AddOidcProvider("test-oidc", eks)
                .AllowAudiences(options.OidcAllowedAudience)
                .MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']")
                .MapAttribute("attribute.service_account", "assertion['kubernetes.io']['serviceaccount']['name']");
            if (options.OidcCondition is { } oc)
            {
                oidc.WithCondition(oc);
            }

            ec2 = pool.AddAwsProvider("ec2-aws", World.CiAccount);
            if (options.Ec2Condition is { } ec)
            {
                ec2.WithCondition(ec);
            }

            target = pool.AddAwsProvider("target-aws", World.TargetAccount);
            if (options.TargetCondition is { } tc)
            {
                target.WithCondition(tc);
            }

            ServiceAccountBuilder gcsReader = b.AddServiceAccount(World.GcsReader);
            ServiceAccountBuilder bqReader = b.AddServiceAccount(World.BigQueryReader);
            ServiceAccountBuilder deployer = b.AddServiceAccount(World.Deployer);
            if (options.BindF1)
            {
                gcsReader.GrantWorkloadIdentityUser(pool.Principal("system:serviceaccount:ci-namespace:ci-serviceaccount"));
            }

            if (options.BindF2)
            {
                bqReader.GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{World.CiAccount}:assumed-role/{World.InstanceRoleName}"));
            }

            if (options.BindF5)
            {
                deployer.GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{World.TargetAccount}:assumed-role/target-account-iam-role"));
            }

            b.AddBucket(World.AppBucket)
                .AddObject("readme.txt", "hello from the emulator")
                .AddObject("reports/2026-11.csv", "id,total\n1,42\n")
                .GrantObjectViewer(gcsReader.Member);
            b.AddBucket(World.UploadBucket)
                .GrantObjectAdmin(gcsReader.Member)
                .GrantRole("roles/storage.legacyBucketReader", gcsReader.Member);
            b.AddBucket(World.ReleaseBucket)
                .AddObject("builds/1042/app.tar.gz.sha256", "3f1c…  app.tar.gz\n")
                .AddObject("builds/1042/manifest.json", "{\"build\":1042}")
                .GrantObjectViewer(deployer.Member);
            b.AddBigQueryDataset(World.ProjectId, "mydataset")
                .AddTable("users", ["id", "name", "email", "created"],
                    [1, "aaaaa", "aaaaa@example.com", "2021-04-01T03:00:00"],
                    [2, "bbbbb", "bbbbb@example.com", "2021-04-01T06:00:00"],
                    [3, "ccccc", "ccccc@example.com", "2021-04-01T09:00:00"])
                .GrantDataViewer(bqReader.Member);
        }, cancellationToken);

        string root = Path.Combine(Path.GetTempPath(), "crosscloudauth-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
        var world = new EmulatedWorld(cloud, root);
        try
        {
            await world.LayOutAsync(oidc, ec2, target, cancellationToken);
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>Overwrites the CI pod's projected token, as the kubelet does when it rotates it (tests write expired or tampered tokens here).</summary>
    /// <param name="token">The JWT.</param>
    /// <returns>A task.</returns>
    public Task WriteEksPodTokenAsync(string token) => File.WriteAllTextAsync(EksPodTokenFile, token);

    /// <summary>Overwrites the injected pod's projected token.</summary>
    /// <param name="token">The JWT.</param>
    /// <returns>A task.</returns>
    public Task WriteInjectedPodTokenAsync(string token) => File.WriteAllTextAsync(InjectedPodTokenFile, token);

    /// <summary>Stops the emulator and deletes the folder.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task LayOutAsync(WorkloadIdentityProviderBuilder oidc, WorkloadIdentityProviderBuilder ec2, WorkloadIdentityProviderBuilder target, CancellationToken cancellationToken)
    {
        string sts = Cloud.AwsStsEndpoint.AbsoluteUri;

        // The CI cluster pod: projected IRSA token, gcloud's file-sourced configuration, seed 001's profiles.
        string eksRoot = Path.Combine(Root, "eks-pod");
        string eksHome = Path.Combine(eksRoot, "root");
        await Issuer.WriteServiceAccountTokenFileAsync(EksPodTokenFile, "ci-namespace", "ci-serviceaccount", cancellationToken: cancellationToken);
        string f1Config = await WriteAsync(Path.Combine(eksRoot, "etc", "gcp", "credentials.json"), Cloud.CreateCredentialConfiguration(oidc, World.GcsReader, EksPodTokenFile), cancellationToken);
        await WriteAsync(F5CredentialFile, Cloud.CreateCredentialConfiguration(target, World.Deployer), cancellationToken);
        string awsConfig = await WriteAsync(Path.Combine(eksHome, ".aws", "config"), $"""
            [profile ci-env]
            role_arn = {World.CiRoleArn}
            web_identity_token_file = {EksPodTokenFile}

            [profile target-env]
            role_arn = {World.TargetRoleArn}
            source_profile = ci-env
            role_session_name = xactarget

            """, cancellationToken);
        EksPod = new SandboxEnvironment("eks-pod", new Dictionary<string, string>
        {
            ["AWS_ROLE_ARN"] = World.CiRoleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = EksPodTokenFile,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_CONFIG_FILE"] = awsConfig,
            ["AWS_ENDPOINT_URL_STS"] = sts,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = f1Config,
        }, eksHome);

        // The EC2 instance: only a gcloud aws1 configuration; credentials and region come from IMDSv2.
        string ec2Root = Path.Combine(Root, "ec2-instance");
        string f2Config = await WriteAsync(Path.Combine(ec2Root, "etc", "gcp", "credentials-aws.json"), Cloud.CreateCredentialConfiguration(ec2, World.BigQueryReader), cancellationToken);
        Ec2Instance = new SandboxEnvironment("ec2-instance", new Dictionary<string, string>
        {
            ["GOOGLE_APPLICATION_CREDENTIALS"] = f2Config,
        }, Path.Combine(ec2Root, "home", "ec2-user"));

        // The webhook-injected pod (seed 002): AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (+ session name).
        await Issuer.WriteServiceAccountTokenFileAsync(InjectedPodTokenFile, "default", "my-s3-reader-ksa", cancellationToken: cancellationToken);
        InjectedPod = new SandboxEnvironment("gke-pod", new Dictionary<string, string>
        {
            ["AWS_ROLE_ARN"] = World.PodRoleArn,
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = InjectedPodTokenFile,
            ["AWS_ROLE_SESSION_NAME"] = "mh9test",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_STS"] = sts,
        }, Path.Combine(Root, "gke-pod", "root"));

        Settings = new QuickstartSettings
        {
            Mode = "emulator",
            AllowNonStandardEndpoints = true,
            F1Environment = EksPod,
            F2Environment = Ec2Instance,
            F3Environment = EksPod,
            F4Environment = InjectedPod,
            F5CredentialFile = F5CredentialFile,
            EksCluster = World.TargetCluster,
            AwsStsEndpoint = Cloud.AwsStsEndpoint,
            InstanceMetadataEndpoint = Cloud.InstanceMetadataEndpoint,
            StorageEndpoint = Cloud.StorageEndpoint,
            BigQueryEndpoint = Cloud.BigQueryEndpoint,
            F1Bucket = World.AppBucket,
            F2Project = World.ProjectId,
            F5Bucket = World.ReleaseBucket,
            Layout =
            [
                $"emulator     AWS STS {sts} · IMDS {Cloud.InstanceMetadataEndpoint} · EKS issuer {Issuer.Issuer}",
                $"             Google STS {Cloud.GoogleStsTokenUri} · IAM {Cloud.IamCredentialsEndpoint} · GCS {Cloud.StorageEndpoint} · BigQuery {Cloud.BigQueryEndpoint}",
                $"eks-pod      {EksPodTokenFile} (projected, aud=sts.amazonaws.com, sub=system:serviceaccount:ci-namespace:ci-serviceaccount)",
                $"             GOOGLE_APPLICATION_CREDENTIALS={f1Config} (external_account, file-sourced, provider test-oidc)",
                $"             AWS_CONFIG_FILE={awsConfig} (profiles ci-env, target-env) · AWS_ROLE_ARN={World.CiRoleArn}",
                $"ec2-instance GOOGLE_APPLICATION_CREDENTIALS={f2Config} (external_account, aws1, provider ec2-aws) · instance role {World.InstanceRoleName}",
                $"gke-pod      AWS_ROLE_ARN={World.PodRoleArn} · AWS_WEB_IDENTITY_TOKEN_FILE={InjectedPodTokenFile} · AWS_ROLE_SESSION_NAME=mh9test",
                $"             (every workload: AWS_ENDPOINT_URL_STS={sts}; AllowNonStandardEndpoints for the loopback URLs)",
            ],
        };
    }

    private static async Task<string> WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content, cancellationToken);
        return path;
    }
}
