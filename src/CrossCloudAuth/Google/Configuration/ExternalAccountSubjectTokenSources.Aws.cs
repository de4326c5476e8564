using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Google;

internal static partial class ExternalAccountSubjectTokenSources
{
    /// <summary>The <c>environment_id: aws1</c> pipeline, as Google's libraries run it: AWS credentials from
    /// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c> when set, otherwise from instance
    /// metadata (IMDSv2); the region from <c>AWS_REGION</c>, then <c>AWS_DEFAULT_REGION</c>, then <c>region_url</c>.
    /// With <see cref="GoogleFederatedCredentialOptions.AwsCredentials"/> or
    /// <see cref="GoogleFederatedCredentialOptions.UseDefaultAwsCredentialChain"/>, the AWS credentials come from there
    /// instead (Google's libraries stop at environment variables and instance metadata).</summary>
    private static AwsSubjectTokenSource CreateAws(ExternalAccountConfiguration configuration, SourceContext context, string hop, out IDisposable? owned)
    {
        ExternalAccountCredentialSource source = configuration.CredentialSource;
        foreach ((Uri? url, string field) in new[] { (source.Url, "credential_source.url"), (source.RegionUrl, "credential_source.region_url"), (source.Imdsv2SessionTokenUrl, "credential_source.imdsv2_session_token_url") })
        {
            if (url is not null)
            {
                GoogleEndpointPolicy.ValidateAwsMetadataUrl(url, context.AllowNonStandardEndpoints, field, hop);
            }
        }

        Ec2InstanceMetadataCredentialSourceOptions metadataOptions = new()
        {
            CredentialsUrl = source.Url,
            RegionUrl = source.RegionUrl,
            SessionTokenUrl = source.Imdsv2SessionTokenUrl,
            UseImdsV2 = true,

            // Files written before IMDSv2 existed name no session token URL; Google's libraries then use IMDSv1.
            // We still try IMDSv2 first and only fall back when the service refuses it.
            AllowImdsV1 = source.Imdsv2SessionTokenUrl is null,
            AllowAnyEndpoint = context.AllowNonStandardEndpoints,
            HttpClient = context.UserHttpClient,
        };

        owned = null;
        if (context.AwsCredentials is not null || context.UseDefaultAwsCredentialChain)
        {
            return CreateAwsWithChain(configuration, context, metadataOptions, out owned);
        }

        Ec2InstanceMetadataCredentialSource metadata = new(
            metadataOptions,
            context.Environment,
            context.TimeProvider,
            context.LoggerFactory?.CreateLogger<Ec2InstanceMetadataCredentialSource>());

        RefreshAheadCache<AwsCredentials> cachedMetadata = new(metadata, null, context.TimeProvider, context.LoggerFactory?.CreateLogger<RefreshAheadCache<AwsCredentials>>());
        EnvironmentFirstAwsCredentials credentials = new(new EnvironmentCredentialSource(context.Environment), cachedMetadata, context.Environment);

        try
        {
            AwsSubjectTokenSource subject = new(
                credentials,
                new AwsSubjectTokenSourceOptions
                {
                    Audience = configuration.Audience,
                    RegionalCredentialVerificationUrl = source.RegionalCredentialVerificationUrl,
                    AllowLoopbackVerificationUrl = context.AllowNonStandardEndpoints,
                    RegionResolver = metadata.GetRegionAsync,
                },
                context.TimeProvider,
                context.Environment);
            owned = credentials;
            return subject;
        }
        catch
        {
            cachedMetadata.Dispose();
            throw;
        }
    }

    /// <summary>The <c>aws1</c> pipeline with AWS credentials the application chose: its own provider (not owned), or
    /// the full AWS chain (owned), whose instance metadata step uses the file's URLs.</summary>
    private static AwsSubjectTokenSource CreateAwsWithChain(ExternalAccountConfiguration configuration, SourceContext context, Ec2InstanceMetadataCredentialSourceOptions metadataOptions, out IDisposable? owned)
    {
        owned = null;
        ICredentialProvider<AwsCredentials> credentials;
        Func<CancellationToken, ValueTask<string>>? regionResolver;
        DefaultAwsCredentialChain? chain = null;
        if (context.AwsCredentials is { } given)
        {
            credentials = given;
            regionResolver = given is DefaultAwsCredentialChain givenChain ? givenChain.ResolveRegionAsync : null;
        }
        else
        {
            chain = new DefaultAwsCredentialChain(
                new DefaultAwsCredentialChainOptions
                {
                    InstanceMetadata = metadataOptions,
                    Container = new ContainerCredentialSourceOptions { HttpClient = context.UserHttpClient },
                },
                context.Environment,
                context.TimeProvider,
                context.LoggerFactory?.CreateLogger<DefaultAwsCredentialChain>());
            credentials = chain;
            regionResolver = chain.ResolveRegionAsync;
        }

        try
        {
            AwsSubjectTokenSource subject = new(
                credentials,
                new AwsSubjectTokenSourceOptions
                {
                    Audience = configuration.Audience,
                    RegionalCredentialVerificationUrl = configuration.CredentialSource.RegionalCredentialVerificationUrl,
                    RegionResolver = regionResolver,
                },
                context.TimeProvider,
                context.Environment);
            owned = chain;
            return subject;
        }
        catch
        {
            chain?.Dispose();
            throw;
        }
    }
}
