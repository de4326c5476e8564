using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Google;

/// <summary>
/// Google credentials for an <see cref="AwsCredentialChain"/> link's role (Workload Identity Federation, AWS
/// provider): the <c>aws4_request</c> subject is signed with the link's cached credentials, so composing
/// <c>AwsCredentialChain.FromDefault().AssumeRole(…).GoogleCredential(…)</c> caches every hop.
/// </summary>
/// <example>
/// <code>
/// using var target = AwsCredentialChain.FromDefault().AssumeRole("arn:aws:iam::222222222222:role/target");
/// var google = target.GoogleCredential("//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws/providers/aws");
/// </code>
/// </example>
public static class AwsCredentialChainGoogleExtensions
{
    /// <summary>The <c>aws4_request</c> subject token Google's STS exchanges (Workload Identity Federation, AWS
    /// provider), signed with this link's cached credentials, so Google sees this link's role. Subject tokens are
    /// signed fresh on every call and never cached; the credentials they are signed with are.</summary>
    /// <param name="chain">The link whose cached credentials sign the subject.</param>
    /// <param name="audience">The workload identity provider,
    /// <c>//iam.googleapis.com/projects/&lt;number&gt;/locations/global/workloadIdentityPools/&lt;pool&gt;/providers/&lt;provider&gt;</c>.</param>
    /// <param name="configure">Adjusts the region and verification URL; optional. Region default: <c>AWS_REGION</c> /
    /// <c>AWS_DEFAULT_REGION</c>, else what the first hop knows (instance metadata's region or the profile's, from
    /// <see cref="AwsCredentialChain.FromDefault"/>).</param>
    /// <returns>The subject token source, for <see cref="GoogleFederatedCredentialOptions.SubjectTokenSource"/>. It owns
    /// nothing.</returns>
    /// <exception cref="CredentialConfigurationException">The audience is missing, or the region or URL is invalid.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public static AwsSubjectTokenSource GoogleSubject(this AwsCredentialChain chain, string audience, Action<AwsSubjectTokenSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.EnsureAlive();
        AwsSubjectTokenSourceOptions settings = new() { Audience = audience, RegionResolver = chain.RegionResolver };
        configure?.Invoke(settings);
        return new AwsSubjectTokenSource(chain.Credentials, settings, chain.Plumbing.TimeProvider, chain.Plumbing.Environment);
    }

    /// <summary>Google credentials (Workload Identity Federation, AWS provider) for this link's role: its
    /// <see cref="GoogleSubject"/> exchanged at Google's STS and, when configured, a service account impersonated,
    /// each token cached.</summary>
    /// <param name="chain">The link whose cached credentials sign the subject.</param>
    /// <param name="audience">The workload identity provider, as for <see cref="GoogleSubject"/>.</param>
    /// <param name="configure">Adjusts the Google side (service account, scopes, quota project, endpoints); optional.
    /// Unset plumbing (HTTP client, clock, loggers, environment, cache options) comes from this chain.</param>
    /// <returns>The credentials. A new one on each call: call once and share it. Disposed with this link.</returns>
    /// <exception cref="CredentialConfigurationException">A setting is missing or invalid, or an endpoint is not allowed.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public static GoogleFederatedCredential GoogleCredential(this AwsCredentialChain chain, string audience, Action<GoogleFederatedCredentialOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        chain.EnsureAlive();
        GoogleFederatedCredentialOptions settings = new()
        {
            Audience = audience,
            SubjectTokenSource = chain.GoogleSubject(audience),
        };
        configure?.Invoke(settings);
        settings.HttpClient ??= chain.Plumbing.HttpClient;
        settings.TimeProvider ??= chain.Plumbing.TimeProvider;
        settings.LoggerFactory ??= chain.Plumbing.LoggerFactory;
        settings.Environment ??= chain.Plumbing.Environment;
        settings.Cache ??= chain.Plumbing.Cache;
        GoogleFederatedCredential credential = GoogleFederatedCredential.Create(settings);
        chain.Adopt(credential);
        return credential;
    }

    /// <summary>Google credentials for this link's role from gcloud's <c>aws1</c> credential configuration (written by
    /// <c>gcloud iam workload-identity-pools create-cred-config --aws</c>): its audience, endpoints, verification URL
    /// and impersonation, with the subject signed by this link's cached credentials instead of the file's environment
    /// variables and instance metadata.</summary>
    /// <param name="chain">The link whose cached credentials sign the subject.</param>
    /// <param name="configuration">The parsed <c>aws1</c> configuration.</param>
    /// <param name="configure">Adjusts the options filled from the file (scopes, quota project, endpoint policy);
    /// optional. Unset plumbing comes from this chain.</param>
    /// <returns>The credentials. A new one on each call: call once and share it. Disposed with this link.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialConfigurationException">The configuration is not an AWS one, or a setting is invalid
    /// or an endpoint not allowed.</exception>
    /// <exception cref="ObjectDisposedException">This link has been disposed.</exception>
    public static GoogleFederatedCredential GoogleCredentialFromConfiguration(this AwsCredentialChain chain, ExternalAccountConfiguration configuration, Action<GoogleFederatedCredentialOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(configuration);
        chain.EnsureAlive();
        if (configuration.CredentialSource.Kind != CredentialSourceKind.Aws)
        {
            throw new CredentialConfigurationException(
                ExternalAccountConfiguration.HopName(configuration.Source),
                $"The configuration's credential_source is of kind {configuration.CredentialSource.Kind}, not AWS (environment_id aws1): AWS credentials can sign only an aws4_request subject. Write the file with 'gcloud iam workload-identity-pools create-cred-config --aws', or use GoogleFederatedCredential.FromConfiguration for other sources.");
        }

        GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, settings =>
        {
            settings.HttpClient = chain.Plumbing.HttpClient;
            settings.TimeProvider = chain.Plumbing.TimeProvider;
            settings.LoggerFactory = chain.Plumbing.LoggerFactory;
            settings.Environment = chain.Plumbing.Environment;
            settings.Cache = chain.Plumbing.Cache;
            configure?.Invoke(settings);
            settings.AwsCredentials = chain.Credentials;
        });
        chain.Adopt(credential);
        return credential;
    }
}
