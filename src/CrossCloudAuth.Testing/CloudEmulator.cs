using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Aws.ContainerCredentials;
using CrossCloudAuth.Testing.Aws.Iam;
using CrossCloudAuth.Testing.Aws.Imds;
using CrossCloudAuth.Testing.Aws.Signing;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Faults;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing;

/// <summary>
/// A verifying local cloud on 127.0.0.1: instance metadata, container credentials, AWS STS, OIDC issuers,
/// Google STS, IAM Credentials, Cloud Storage and BigQuery, each on its own ephemeral port. Everything it
/// receives is checked the way the real service checks it (JWT signatures against the issuer's JWKS, SigV4
/// recomputed independently, trust policies, workload identity audiences, mappings and conditions, IAM
/// bindings, bearer tokens and scopes), and rejections use the real services' error shapes.
/// </summary>
/// <example>
/// <code>
/// await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
/// {
///     OidcIssuer eks = b.AddOidcIssuer("eks");
///     b.AddAwsAccount("111122223333").AddRole("ci-role", t => t.AllowWebIdentity(eks, sub: "system:serviceaccount:ci:runner"));
/// });
/// string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");
/// </code>
/// </example>
/// <remarks>Thread-safe. Dispose it to stop the listeners; in-flight hung requests are aborted.</remarks>
public sealed partial class CloudEmulator : IAsyncDisposable
{
    private readonly EmulatorHost _host;
    private readonly AwsIdentityStore _aws;
    private readonly IReadOnlyDictionary<string, OidcIssuer> _issuers;
    private readonly HttpClient _loopback;
    private readonly CloudEmulatorBuilder _configuration;
    private Aws.Eks.EksTokenVerifier? _eksTokens;

    private CloudEmulator(CloudEmulatorBuilder configuration, EmulatorHost host, HttpClient loopback, FaultInjector faults, RequestLog requests)
    {
        Faults = faults;
        Requests = requests;
        _configuration = configuration;
        _host = host;
        _aws = configuration.Aws;
        _issuers = configuration.Issuers;
        _loopback = loopback;
        TimeProvider = configuration.Clock;
    }

    /// <summary>Gets the emulated clouds' clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the fault injector: register errors, throttling, delays, hangs, bad bodies and dropped connections per service.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Gets the log of received requests, for assertions.</summary>
    public RequestLog Requests { get; }

    /// <summary>Gets the OIDC issuers, by name.</summary>
    public IReadOnlyDictionary<string, OidcIssuer> OidcIssuers => _issuers;

    /// <summary>Gets the instance metadata base URL, as <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> takes it (<c>http://127.0.0.1:PORT/</c>).</summary>
    public Uri InstanceMetadataEndpoint => _host.BaseAddress(EmulatedService.InstanceMetadata);

    /// <summary>Gets the container credentials URL, as <c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> takes it.</summary>
    public Uri ContainerCredentialsUri => new(_host.BaseAddress(EmulatedService.ContainerCredentials), _configuration.ContainerCredentials.RelativeUri);

    /// <summary>Gets the AWS STS endpoint (<c>AWS_ENDPOINT_URL_STS</c>, the SDKs' <c>ServiceURL</c>).</summary>
    public Uri AwsStsEndpoint => _host.BaseAddress(EmulatedService.AwsSts);

    /// <summary>Gets the Google STS token URL (<c>token_url</c> of an <c>external_account</c> configuration).</summary>
    public Uri GoogleStsTokenUri => new(_host.BaseAddress(EmulatedService.GoogleSts), "v1/token");

    /// <summary>Gets the IAM Credentials base URL (<c>https://iamcredentials.googleapis.com/</c> in production).</summary>
    public Uri IamCredentialsEndpoint => _host.BaseAddress(EmulatedService.IamCredentials);

    /// <summary>Gets the Cloud Storage base URL (<c>https://storage.googleapis.com/</c> in production).</summary>
    public Uri StorageEndpoint => _host.BaseAddress(EmulatedService.Storage);

    /// <summary>Gets the BigQuery base URL (<c>https://bigquery.googleapis.com/</c> in production).</summary>
    public Uri BigQueryEndpoint => _host.BaseAddress(EmulatedService.BigQuery);

    /// <summary>Starts an emulator configured by <paramref name="configure"/>.</summary>
    /// <param name="configure">Describes accounts, roles, issuers, pools, service accounts, buckets and datasets.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    /// <exception cref="InvalidOperationException">The configuration is inconsistent (e.g. instance metadata names a role no account defines).</exception>
    public static async Task<CloudEmulator> StartAsync(Action<CloudEmulatorBuilder> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new CloudEmulatorBuilder();
        configure(builder);
        builder.Validate();

#pragma warning disable CA2000 // Ownership passes to the emulator.
        var loopback = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
#pragma warning restore CA2000
        var faults = new FaultInjector();
        var requests = new RequestLog();
        var host = new EmulatorHost(faults, requests, builder.Clock, builder.Ports);
        var emulator = new CloudEmulator(builder, host, loopback, faults, requests);
        try
        {
            await host.StartAsync([.. emulator.CreateEndpoints()], cancellationToken).ConfigureAwait(false);
            Uri oidcBase = host.BaseAddress(EmulatedService.Oidc);
            foreach (OidcIssuer issuer in builder.Issuers.Values)
            {
                issuer.Bind(oidcBase, builder.Clock);
            }

            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gets an OIDC issuer by name.</summary>
    /// <param name="name">The name given to <see cref="CloudEmulatorBuilder.AddOidcIssuer"/>.</param>
    /// <returns>The issuer.</returns>
    /// <exception cref="KeyNotFoundException">No issuer has that name.</exception>
    public OidcIssuer GetOidcIssuer(string name) =>
        _issuers.TryGetValue(name, out OidcIssuer? issuer) ? issuer : throw new KeyNotFoundException($"No OIDC issuer named '{name}'.");

    /// <summary>Gets the base URL of one service.</summary>
    /// <param name="service">The service.</param>
    /// <returns><c>http://127.0.0.1:PORT/</c>.</returns>
    public Uri GetEndpoint(EmulatedService service) => _host.BaseAddress(service);

    /// <summary>Issues a session of a role directly, without a trust check: a quick way for a test to hold valid temporary AWS credentials.</summary>
    /// <param name="roleArn">The role ARN.</param>
    /// <param name="sessionName">The session name.</param>
    /// <param name="duration">The session duration; 1 hour when omitted.</param>
    /// <returns>Credentials that verify at the emulated STS.</returns>
    /// <exception cref="KeyNotFoundException">No account defines the role.</exception>
    public AwsCredentials IssueRoleSession(string roleArn, string sessionName = "emulator-session", TimeSpan? duration = null)
    {
        AwsRole role = _aws.FindRole(roleArn) ?? throw new KeyNotFoundException($"No AWS account defines the role {roleArn}.");
        AwsKey key = _aws.IssueSession(role, sessionName, duration ?? TimeSpan.FromHours(1));
        return new AwsCredentials(key.AccessKeyId, key.SecretAccessKey, key.SessionToken, key.Expiration);
    }

    /// <summary>
    /// Checks a <c>k8s-aws-v1.</c> EKS bearer token as an EKS cluster named <paramref name="clusterName"/> would:
    /// the presigned <c>GetCallerIdentity</c> URL's shape, the signed <c>x-k8s-aws-id</c> header, the 15-minute
    /// window, then the signature by replaying it against the emulated STS.
    /// </summary>
    /// <param name="token">The bearer token.</param>
    /// <param name="clusterName">The cluster the token must be for.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Who the cluster would see, or why it would refuse.</returns>
    public Task<Aws.EksTokenReview> VerifyEksTokenAsync(string token, string clusterName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        return _eksTokens!.VerifyAsync(token, clusterName, cancellationToken);
    }

    /// <summary>Stops the listeners.</summary>
    /// <returns>A task that completes when the emulator has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _loopback.Dispose();
    }

    private IEnumerable<IEmulatedEndpoint> CreateEndpoints()
    {
        CloudEmulatorBuilder b = _configuration;
        var jwts = new JwtVerifier(_loopback, b.Clock, b.JwtClockSkew, issuer => _issuers.Values.Any(i => i.Issuer == issuer));
        var sts = new AwsStsEndpoint(_aws, new SigV4Verifier(_aws, b.Clock, b.SignatureClockSkew, "sts"), jwts, b.Clock);
        RoleCredentialVendor? instanceRole = b.InstanceMetadata.RoleArn is { } imdsRole
            ? new RoleCredentialVendor(_aws, imdsRole, b.InstanceMetadata.CredentialLifetime, b.InstanceMetadata.InstanceId)
            : null;
        RoleCredentialVendor? containerRole = b.ContainerCredentials.RoleArn is { } containerArn
            ? new RoleCredentialVendor(_aws, containerArn, TimeSpan.FromHours(6), "container-credentials")
            : null;
        string instanceAccount = b.InstanceMetadata.RoleArn?.Split(':')[4] ?? _aws.Accounts.FirstOrDefault() ?? "000000000000";

        yield return new ImdsEndpoint(b.InstanceMetadata, instanceRole, b.Clock, instanceAccount);
        yield return new ContainerCredentialsEndpoint(b.ContainerCredentials, containerRole);
        _eksTokens = new Aws.Eks.EksTokenVerifier(sts, () => AwsStsEndpoint.Authority, b.Clock);
        yield return sts;
        yield return new OidcEndpoint(_issuers);
        foreach (IEmulatedEndpoint google in CreateGoogleEndpoints(jwts, sts))
        {
            yield return google;
        }
    }
}
