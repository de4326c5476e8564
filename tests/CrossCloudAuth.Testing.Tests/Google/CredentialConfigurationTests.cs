using System.Text.Json;
using CrossCloudAuth.Testing.Google;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Google;

public sealed class CredentialConfigurationTests
{
    [Fact]
    public async Task CreateCredentialConfiguration_OidcAndAws_PointAtTheEmulator()
    {
        WorkloadIdentityProviderBuilder? oidc = null;
        WorkloadIdentityProviderBuilder? aws = null;
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            var issuer = b.AddOidcIssuer();
            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(ProjectNumber, "p");
            oidc = pool.AddOidcProvider("o", issuer);
            aws = pool.AddAwsProvider("a", CiAccount);
        });

        using JsonDocument file = JsonDocument.Parse(cloud.CreateCredentialConfiguration(oidc!, ServiceAccount, "/var/run/secrets/eks.amazonaws.com/serviceaccount/token", 600));
        using JsonDocument imds = JsonDocument.Parse(cloud.CreateCredentialConfiguration(aws!));

        JsonElement f = file.RootElement;
        Assert.Equal("external_account", f.GetProperty("type").GetString());
        Assert.Equal($"//iam.googleapis.com/projects/{ProjectNumber}/locations/global/workloadIdentityPools/p/providers/o", f.GetProperty("audience").GetString());
        Assert.Equal("urn:ietf:params:oauth:token-type:jwt", f.GetProperty("subject_token_type").GetString());
        Assert.Equal(cloud.GoogleStsTokenUri.AbsoluteUri, f.GetProperty("token_url").GetString());
        Assert.Equal("text", f.GetProperty("credential_source").GetProperty("format").GetProperty("type").GetString());
        Assert.EndsWith($"/v1/projects/-/serviceAccounts/{ServiceAccount}:generateAccessToken", f.GetProperty("service_account_impersonation_url").GetString());
        Assert.Equal(600, f.GetProperty("service_account_impersonation").GetProperty("token_lifetime_seconds").GetInt32());
        JsonElement source = imds.RootElement.GetProperty("credential_source");
        Assert.Equal("aws1", source.GetProperty("environment_id").GetString());
        Assert.Equal("urn:ietf:params:aws:token-type:aws4_request", imds.RootElement.GetProperty("subject_token_type").GetString());
        Assert.StartsWith(cloud.AwsStsEndpoint.AbsoluteUri + "?Action=GetCallerIdentity", source.GetProperty("regional_cred_verification_url").GetString());
        Assert.False(imds.RootElement.TryGetProperty("service_account_impersonation_url", out _));
    }

    [Fact]
    public async Task StartAsync_InstanceRoleNotDefined_ExplainsTheFix()
    {
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CloudEmulator.StartAsync(b => b.ConfigureInstanceMetadata(m => m.UseRole(CiAccount, "missing"))));

        Assert.Contains("AddAwsAccount(...).AddRole(...)", error.Message);
    }
}
