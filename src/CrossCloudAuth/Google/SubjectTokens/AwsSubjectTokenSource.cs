using CrossCloudAuth.Platform;

using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Google;

/// <summary>
/// The <c>aws4_request</c> subject token for Google's Security Token Service, signed with credentials from any AWS
/// source: instance metadata, environment variables, a container endpoint, web identity, a profile, or a role chain
/// (so Google sees the chain's final role as <c>attribute.aws_role</c>).
/// </summary>
/// <remarks>
/// <para>Every call pulls the current credentials from the source and signs a fresh token (subject tokens are never
/// cached). Give it a cached source (a <see cref="Caching.RefreshAheadCache{TCredential}"/>) so that an exchange does
/// not fetch AWS credentials anew; <see cref="AwsCredentialChainGoogleExtensions.GoogleSubject"/> builds it over a cached link.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class AwsSubjectTokenSource : ISubjectTokenSource
{
    private const string Hop = "aws4-request:GetCallerIdentity";

    private readonly ICredentialProvider<AwsCredentials> _credentials;
    private readonly string _audience;
    private readonly string? _verificationUrl;
    private readonly bool _allowLoopback;
    private readonly Func<CancellationToken, ValueTask<string>>? _regionResolver;
    private readonly ISystemEnvironment _environment;
    private readonly TimeProvider _timeProvider;
    private string? _region;

    /// <summary>Initializes a new instance of the <see cref="AwsSubjectTokenSource"/> class.</summary>
    /// <param name="credentials">The AWS credentials to sign with.</param>
    /// <param name="options">The audience, region and verification URL. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialConfigurationException">The audience is missing, or the region or URL is invalid.</exception>
    public AwsSubjectTokenSource(
        ICredentialProvider<AwsCredentials> credentials,
        AwsSubjectTokenSourceOptions options,
        CredentialContext? context = null)
        : this(credentials, options, context?.TimeProvider, context?.Environment)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal AwsSubjectTokenSource(
        ICredentialProvider<AwsCredentials> credentials,
        AwsSubjectTokenSourceOptions options,
        TimeProvider? timeProvider,
        ISystemEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        _credentials = credentials;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _environment = environment ?? SystemEnvironment.Instance;

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            throw new CredentialConfigurationException(Hop, "Audience is required: the workload identity provider's full resource name, '//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>'.");
        }

        if (options.Region is not null && !AwsRegion.IsValid(options.Region))
        {
            throw new CredentialConfigurationException(Hop, $"Region '{options.Region}' is not an AWS region name such as 'us-east-2'.");
        }

        _audience = options.Audience;
        _region = options.Region;
        _regionResolver = options.RegionResolver;
        _verificationUrl = options.RegionalCredentialVerificationUrl;

        _allowLoopback = options.AllowLoopbackVerificationUrl;

        // Validate the URL template now rather than on the first exchange: with a known region completely, otherwise
        // all but the host's region (checked again, against the real region, before every signature).
        try
        {
            VerificationUrl.CheckTemplate(_verificationUrl, _allowLoopback);
            if (_region is not null)
            {
                _ = VerificationUrl.Resolve(_verificationUrl, _region, _allowLoopback);
            }
        }
        catch (ArgumentException error)
        {
            throw new CredentialConfigurationException(Hop, error.Message, error);
        }
    }

    /// <inheritdoc />
    public string HopName => Hop;

    /// <inheritdoc />
    public string SubjectTokenType => AwsSubjectToken.TokenType;

    /// <summary>Signs a fresh <c>aws4_request</c> subject token with the source's current credentials.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The URL-encoded subject token. A secret for 15 minutes: never log it.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The AWS source has no credentials here, or no region is known.</exception>
    /// <exception cref="CredentialConfigurationException">The AWS source or the region is misconfigured.</exception>
    /// <exception cref="CredentialRequestFailedException">The AWS source failed.</exception>
    public async ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default)
    {
        string region = await ResolveRegionAsync(cancellationToken).ConfigureAwait(false);
        Uri url;
        try
        {
            // The URL is checked against the real region before any credentials are fetched.
            url = VerificationUrl.Resolve(_verificationUrl, region, _allowLoopback);
        }
        catch (ArgumentException error)
        {
            throw new CredentialConfigurationException(Hop, error.Message, error);
        }

        AwsCredentials credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        return AwsSubjectToken.Create(credentials, region, _audience, _timeProvider.GetUtcNow(), url);
    }

    private async ValueTask<string> ResolveRegionAsync(CancellationToken cancellationToken)
    {
        string? region = Volatile.Read(ref _region) ?? AwsRegion.FromEnvironment(_environment, Hop);
        if (region is not null)
        {
            return region;
        }

        if (_regionResolver is null)
        {
            throw new CredentialSourceUnavailableException(Hop, "No AWS region is known: set AWS_REGION, or set Region or RegionResolver in AwsSubjectTokenSourceOptions.");
        }

        region = (await _regionResolver(cancellationToken).ConfigureAwait(false))?.Trim();
        if (!AwsRegion.IsValid(region))
        {
            throw new CredentialConfigurationException(Hop, $"The region resolver returned '{region}', which is not an AWS region name.");
        }

        Volatile.Write(ref _region, region);
        return region!;
    }
}
