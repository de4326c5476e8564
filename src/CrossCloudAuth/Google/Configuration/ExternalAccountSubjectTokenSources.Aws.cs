namespace CrossCloudAuth.Google.Configuration;

internal static partial class ExternalAccountSubjectTokenSources
{
    private static ISubjectTokenSource CreateAws(ExternalAccountConfiguration configuration, SourceContext context, string hop)
    {
        ExternalAccountCredentialSource source = configuration.CredentialSource;
        foreach ((Uri? url, string field) in new[] { (source.Url, "credential_source.url"), (source.RegionUrl, "credential_source.region_url"), (source.Imdsv2SessionTokenUrl, "credential_source.imdsv2_session_token_url") })
        {
            if (url is not null)
            {
                GoogleEndpointPolicy.ValidateAwsMetadataUrl(url, context.AllowNonStandardEndpoints, field, hop);
            }
        }

        throw new CredentialConfigurationException(hop, "environment_id aws1 is not wired yet.");
    }
}
