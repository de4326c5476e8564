using System.Globalization;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Cli.Emulator;

/// <summary>
/// The local cloud behind <c>crosscloud emulator</c>: one emulator with the topology of the flows (an EKS pod with
/// IRSA, an EC2 instance, a cross-account role chain, a workload identity pool with an OIDC and an AWS provider, a
/// service account and a bucket), the files a workload reads, and the variables that point a process at all of it.
/// </summary>
internal sealed class LocalCloud : IAsyncDisposable
{
    /// <summary>The pod's account (seed 001's CI account), also the EC2 instance's.</summary>
    public const string AppAccount = "111111111111";

    /// <summary>The target account of the role chain.</summary>
    public const string TargetAccount = "222222222222";

    /// <summary>The pod's Kubernetes service account subject.</summary>
    public const string PodSubject = "system:serviceaccount:default:app";

    /// <summary>The pod's IRSA role.</summary>
    public const string AppRoleArn = "arn:aws:iam::" + AppAccount + ":role/app-role";

    /// <summary>The target account's role, trusting the app role.</summary>
    public const string TargetRoleArn = "arn:aws:iam::" + TargetAccount + ":role/target-role";

    /// <summary>The EC2 instance's role.</summary>
    public const string NodeRoleArn = "arn:aws:iam::" + AppAccount + ":role/node-role";

    /// <summary>The service account the workload impersonates.</summary>
    public const string ServiceAccount = "app@demo-project.iam.gserviceaccount.com";

    /// <summary>The EKS cluster name the target role signs tokens for.</summary>
    public const string Cluster = "target-cluster";

    /// <summary>The bucket the service account may read.</summary>
    public const string Bucket = "demo-bucket";

    private readonly bool _ownsDirectory;

    private LocalCloud(CloudEmulator cloud, string directory, bool ownsDirectory, WorkloadIdentityProviderBuilder oidcProvider, WorkloadIdentityProviderBuilder awsProvider)
    {
        Cloud = cloud;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        OidcProvider = oidcProvider;
        AwsProvider = awsProvider;
    }

    /// <summary>Gets the emulator (faults, requests).</summary>
    public CloudEmulator Cloud { get; }

    /// <summary>Gets the directory holding the files.</summary>
    public string Directory { get; }

    /// <summary>Gets the OIDC provider of the pool (F1).</summary>
    public WorkloadIdentityProviderBuilder OidcProvider { get; }

    /// <summary>Gets the AWS provider of the pool (F2).</summary>
    public WorkloadIdentityProviderBuilder AwsProvider { get; }

    /// <summary>Gets the projected service-account token file.</summary>
    public string TokenFile => Path.Combine(Directory, "token");

    /// <summary>Gets the file-sourced credential configuration (F1).</summary>
    public string OidcCredentialFile => Path.Combine(Directory, "gcp-oidc.json");

    /// <summary>Gets the <c>aws1</c> credential configuration (F2).</summary>
    public string AwsCredentialFile => Path.Combine(Directory, "gcp-aws.json");

    /// <summary>Gets the AWS shared config file (profiles <c>app</c> and <c>target</c>, seed 001).</summary>
    public string AwsConfigFile => Path.Combine(Directory, "aws-config");

    /// <summary>Gets the variables of an EKS pod with IRSA whose Google configuration is the OIDC one.</summary>
    public IReadOnlyDictionary<string, string> PodVariables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GOOGLE_APPLICATION_CREDENTIALS"] = OidcCredentialFile,
        ["AWS_ROLE_ARN"] = AppRoleArn,
        ["AWS_WEB_IDENTITY_TOKEN_FILE"] = TokenFile,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = AwsConfigFile,
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Directory, "aws-credentials"),
        ["AWS_ENDPOINT_URL_STS"] = Cloud.AwsStsEndpoint.AbsoluteUri,
        ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = Cloud.InstanceMetadataEndpoint.AbsoluteUri,
        [Plumbing.AllowLoopbackVariable] = "1",
    };

    /// <summary>Gets the variables of an EC2 instance whose Google configuration is the <c>aws1</c> one.</summary>
    public IReadOnlyDictionary<string, string> InstanceVariables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GOOGLE_APPLICATION_CREDENTIALS"] = AwsCredentialFile,
        ["AWS_CONFIG_FILE"] = Path.Combine(Directory, "no-aws-config"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Directory, "aws-credentials"),
        ["AWS_ENDPOINT_URL_STS"] = Cloud.AwsStsEndpoint.AbsoluteUri,
        ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = Cloud.InstanceMetadataEndpoint.AbsoluteUri,
        [Plumbing.AllowLoopbackVariable] = "1",
    };

    /// <summary>Starts the emulator and writes the files.</summary>
    /// <param name="directory">Where to write the files, or <see langword="null"/> for a new temporary directory removed on dispose.</param>
    /// <param name="configure">Adjusts the knobs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cloud.</returns>
    public static async Task<LocalCloud> StartAsync(string? directory = null, Action<LocalCloudOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new LocalCloudOptions();
        configure?.Invoke(options);
        bool owns = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "crosscloud-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);

        WorkloadIdentityProviderBuilder? oidc = null;
        WorkloadIdentityProviderBuilder? aws = null;
        CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            if (options.CloudClock is { } clock)
            {
                b.UseTimeProvider(clock);
            }

            OidcIssuer eks = b.AddOidcIssuer("eks");
            OidcIssuer? other = options.OidcProviderTrustsOtherIssuer || options.AppRoleTrustsOtherIssuer ? b.AddOidcIssuer("other-cluster") : null;
            OidcIssuer roleIssuer = options.AppRoleTrustsOtherIssuer ? other! : eks;
            b.AddAwsAccount(AppAccount)
                .AddRole("app-role", t => t.AllowWebIdentity(roleIssuer, sub: options.AppRoleSubject, aud: options.AppRoleAudience))
                .AddRole("node-role", t => t.AllowPrincipal("ec2.amazonaws.com"));
            b.AddAwsAccount(TargetAccount)
                .AddRole("target-role", t => t.AllowPrincipal(AppRoleArn));
            b.ConfigureInstanceMetadata(m => m.UseRole(AppAccount, "node-role").UseRegion("us-east-1"));

            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool("123456789012", "aws-pool");
            OidcIssuer trusted = options.OidcProviderTrustsOtherIssuer ? other! : eks;
            oidc = pool.AddOidcProvider("eks-oidc", trusted)
                .AllowAudiences(options.OidcAllowedAudience)
                .MapAttribute("attribute.namespace", "assertion['kubernetes.io']['namespace']");
            if (options.OidcCondition is { } condition)
            {
                oidc.WithCondition(condition);
            }

            if (options.OidcProviderDisabled)
            {
                oidc.Disable();
            }

            aws = pool.AddAwsProvider("aws", AppAccount);
            ServiceAccountBuilder account = b.AddServiceAccount(ServiceAccount);
            if (options.BindPodPrincipal)
            {
                account.GrantWorkloadIdentityUser(pool.Principal(PodSubject));
            }

            if (options.BindInstanceRole)
            {
                account.GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{AppAccount}:assumed-role/node-role"));
            }

            b.AddBucket(Bucket).AddObject("hello.txt", "hello from the local cloud").GrantObjectViewer("serviceAccount:" + ServiceAccount);
        }, cancellationToken).ConfigureAwait(false);

        var local = new LocalCloud(cloud, directory, owns, oidc!, aws!);
        try
        {
            await cloud.GetOidcIssuer("eks").WriteServiceAccountTokenFileAsync(local.TokenFile, "default", "app", lifetime: options.PodTokenLifetime, cancellationToken: cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(local.OidcCredentialFile, cloud.CreateCredentialConfiguration(oidc!, ServiceAccount, local.TokenFile), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(local.AwsCredentialFile, cloud.CreateCredentialConfiguration(aws!, ServiceAccount), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(local.AwsConfigFile, string.Create(CultureInfo.InvariantCulture, $"""
                [profile app]
                role_arn = {AppRoleArn}
                web_identity_token_file = {local.TokenFile}

                [profile target]
                role_arn = {TargetRoleArn}
                source_profile = app
                role_session_name = crosscloud-target

                """), cancellationToken).ConfigureAwait(false);
            return local;
        }
        catch
        {
            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the emulator and removes a temporary directory.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync().ConfigureAwait(false);
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the temporary directory is left for the system to clean.
            }
        }
    }
}
