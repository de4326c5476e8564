using CrossCloudAuth.Testing.Aws;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing;

/// <summary>
/// Describes the emulated clouds before <see cref="CloudEmulator.StartAsync"/> starts them: AWS accounts and
/// roles, OIDC issuers, instance metadata, workload identity pools, service accounts, buckets and datasets.
/// Not thread-safe; used only inside the configuration callback.
/// </summary>
public sealed class CloudEmulatorBuilder
{
    private readonly Dictionary<string, AwsAccountBuilder> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OidcIssuer> _issuers = new(StringComparer.Ordinal);
    private readonly List<WorkloadIdentityPoolBuilder> _pools = [];
    private readonly Dictionary<string, ServiceAccountBuilder> _serviceAccounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, BucketBuilder> _buckets = new(StringComparer.Ordinal);
    private readonly List<BigQueryDatasetBuilder> _datasets = [];
    private readonly Dictionary<EmulatedService, int> _ports = [];

    internal CloudEmulatorBuilder()
    {
        Aws = new Aws.Iam.AwsIdentityStore(TimeProvider.System);
    }

    internal Aws.Iam.AwsIdentityStore Aws { get; }

    internal TimeProvider Clock { get; private set; } = TimeProvider.System;

    internal TimeSpan JwtClockSkew { get; private set; } = TimeSpan.FromMinutes(5);

    internal TimeSpan SignatureClockSkew { get; private set; } = TimeSpan.FromMinutes(15);

    internal InstanceMetadataBuilder InstanceMetadata { get; } = new();

    internal ContainerCredentialsBuilder ContainerCredentials { get; } = new();

    internal IReadOnlyDictionary<string, OidcIssuer> Issuers => _issuers;

    internal IReadOnlyList<WorkloadIdentityPoolBuilder> Pools => _pools;

    internal IReadOnlyDictionary<string, ServiceAccountBuilder> ServiceAccounts => _serviceAccounts;

    internal IReadOnlyDictionary<string, BucketBuilder> Buckets => _buckets;

    internal IReadOnlyList<BigQueryDatasetBuilder> Datasets => _datasets;

    internal IReadOnlyDictionary<EmulatedService, int> Ports => _ports;

    /// <summary>Uses <paramref name="timeProvider"/> as the emulated clouds' clock: token expiry, signature windows, issued times. Default: the system clock.</summary>
    /// <param name="timeProvider">The clock, e.g. a <c>FakeTimeProvider</c> to test skew and expiry without waiting.</param>
    /// <returns>This builder.</returns>
    /// <remarks>Fault-injection delays and hangs always run on the real clock, so a frozen emulator clock never hangs a test.</remarks>
    public CloudEmulatorBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Clock = timeProvider;
        Aws.Clock = timeProvider;
        return this;
    }

    /// <summary>Sets the clock skew allowed on JWT <c>exp</c> / <c>nbf</c> / <c>iat</c> checks (default 5 minutes).</summary>
    /// <param name="skew">The allowance.</param>
    /// <returns>This builder.</returns>
    public CloudEmulatorBuilder UseJwtClockSkew(TimeSpan skew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero);
        JwtClockSkew = skew;
        return this;
    }

    /// <summary>Sets how far a SigV4 <c>X-Amz-Date</c> may be from the emulator clock (default 15 minutes, as AWS STS allows).</summary>
    /// <param name="skew">The allowance.</param>
    /// <returns>This builder.</returns>
    public CloudEmulatorBuilder UseSignatureClockSkew(TimeSpan skew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero);
        SignatureClockSkew = skew;
        return this;
    }

    /// <summary>Binds <paramref name="service"/> to a fixed loopback port instead of an ephemeral one (for a standalone emulator other processes connect to).</summary>
    /// <param name="service">The service.</param>
    /// <param name="port">The port, 1–65535.</param>
    /// <returns>This builder.</returns>
    public CloudEmulatorBuilder UsePort(EmulatedService service, int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _ports[service] = port;
        return this;
    }

    /// <summary>Adds (or returns) an AWS account.</summary>
    /// <param name="accountId">The 12-digit account id.</param>
    /// <returns>The account builder, to add roles and users.</returns>
    public AwsAccountBuilder AddAwsAccount(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("An AWS account id has 12 digits.", nameof(accountId));
        }

        if (!_accounts.TryGetValue(accountId, out AwsAccountBuilder? account))
        {
            account = new AwsAccountBuilder(Aws, accountId);
            _accounts[accountId] = account;
            Aws.AddAccount(accountId);
        }

        return account;
    }

    /// <summary>Adds an OIDC issuer served at <c>http://127.0.0.1:PORT/NAME</c> with its own RSA signing key.</summary>
    /// <param name="name">The issuer's name, the last segment of its URL (letters, digits, <c>-</c>).</param>
    /// <returns>The issuer: pass it to trust policies and providers; mint tokens with it once started.</returns>
    public OidcIssuer AddOidcIssuer(string name = "eks")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ArgumentException("An issuer name has letters, digits and '-' only.", nameof(name));
        }

        if (_issuers.ContainsKey(name))
        {
            throw new InvalidOperationException($"The OIDC issuer '{name}' is already defined.");
        }

        var issuer = new OidcIssuer(name, _issuers.Count);
        _issuers[name] = issuer;
        return issuer;
    }

    /// <summary>Configures the instance metadata service (the EC2 instance role, region, IMDSv1).</summary>
    /// <param name="configure">The configuration.</param>
    /// <returns>This builder.</returns>
    public CloudEmulatorBuilder ConfigureInstanceMetadata(Action<InstanceMetadataBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(InstanceMetadata);
        return this;
    }

    /// <summary>Configures the ECS / EKS Pod Identity container credentials endpoint.</summary>
    /// <param name="configure">The configuration.</param>
    /// <returns>This builder.</returns>
    public CloudEmulatorBuilder ConfigureContainerCredentials(Action<ContainerCredentialsBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(ContainerCredentials);
        return this;
    }

    /// <summary>Adds a workload identity pool.</summary>
    /// <param name="projectNumber">The owning project's number.</param>
    /// <param name="poolId">The pool id.</param>
    /// <returns>The pool, to add providers.</returns>
    public WorkloadIdentityPoolBuilder AddWorkloadIdentityPool(string projectNumber, string poolId)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectNumber);
        ArgumentException.ThrowIfNullOrEmpty(poolId);
        var pool = new WorkloadIdentityPoolBuilder(projectNumber, poolId);
        _pools.Add(pool);
        return pool;
    }

    /// <summary>Adds a Google service account.</summary>
    /// <param name="email">Its email, e.g. <c>sa@project.iam.gserviceaccount.com</c>.</param>
    /// <returns>The service account, to grant roles on it.</returns>
    public ServiceAccountBuilder AddServiceAccount(string email)
    {
        ArgumentException.ThrowIfNullOrEmpty(email);
        if (!email.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException("A service account is named by its email.", nameof(email));
        }

        var account = new ServiceAccountBuilder(email);
        _serviceAccounts[email] = account;
        return account;
    }

    /// <summary>Adds a Cloud Storage bucket.</summary>
    /// <param name="name">The bucket name.</param>
    /// <returns>The bucket, to add objects and grant readers.</returns>
    public BucketBuilder AddBucket(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var bucket = new BucketBuilder(name);
        _buckets[name] = bucket;
        return bucket;
    }

    /// <summary>Adds a BigQuery dataset.</summary>
    /// <param name="projectId">The project id.</param>
    /// <param name="datasetId">The dataset id.</param>
    /// <returns>The dataset, to add tables and grant viewers.</returns>
    public BigQueryDatasetBuilder AddBigQueryDataset(string projectId, string datasetId)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var dataset = new BigQueryDatasetBuilder(projectId, datasetId);
        _datasets.Add(dataset);
        return dataset;
    }

    internal void Validate()
    {
        foreach ((string what, string? roleArn) in new[] { ("Instance metadata", InstanceMetadata.RoleArn), ("Container credentials", ContainerCredentials.RoleArn) })
        {
            if (roleArn is not null && Aws.FindRole(roleArn) is null)
            {
                throw new InvalidOperationException($"{what} uses the role {roleArn}, which no AWS account defines: add it with AddAwsAccount(...).AddRole(...).");
            }
        }

        foreach (OidcIssuer issuer in Aws.Roles.SelectMany(r => r.Trust.WebIdentityStatements).Select(s => s.Issuer)
            .Concat(_pools.SelectMany(p => p.Providers).Select(p => p.Issuer).OfType<OidcIssuer>()))
        {
            if (!_issuers.ContainsValue(issuer))
            {
                throw new InvalidOperationException($"The OIDC issuer '{issuer.Name}' comes from another emulator; add issuers with this builder's AddOidcIssuer.");
            }
        }
    }
}
