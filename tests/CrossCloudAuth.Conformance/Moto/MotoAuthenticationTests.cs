using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Conformance.Infrastructure;

namespace CrossCloudAuth.Conformance.Moto;

/// <summary>
/// The authenticating moto fixture really authenticates: a request signed with the right key passes, one signed with
/// a wrong secret is refused. Everything the other moto tests conclude from a pass rests on these two.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class MotoAuthenticationTests(MotoFixture fixture)
{
    [ConformanceFact(ConformanceTool.Moto)]
    public async Task GetCallerIdentity_SignedWithUserKey_ReturnsUser()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        using var sts = MotoClients.Sts(moto, MotoClients.UserCredentials(moto));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(moto.Layout.User.Arn, identity.Arn);
    }

    [ConformanceFact(ConformanceTool.Moto)]
    public async Task GetCallerIdentity_SignedWithWrongSecret_IsRejectedWithSignatureDoesNotMatch()
    {
        ConformanceTools.Require(ConformanceTool.Moto);
        var moto = await fixture.GetAsync();
        using var sts = MotoClients.Sts(moto, new BasicAWSCredentials(moto.Layout.User.AccessKeyId, "not-the-secret"));

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
    }
}
