using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Hosting;
using CrossCloudAuth.Testing.Oidc;

namespace CrossCloudAuth.Testing;

public sealed partial class CloudEmulator
{
    private IEnumerable<IEmulatedEndpoint> CreateGoogleEndpoints(JwtVerifier jwts, AwsStsEndpoint awsSts)
    {
        _ = jwts;
        _ = awsSts;
        _ = _configuration;
        return [];
    }
}
