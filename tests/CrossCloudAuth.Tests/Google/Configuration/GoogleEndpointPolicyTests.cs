using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Google.Configuration;

public sealed class GoogleEndpointPolicyTests
{
    [Theory]
    [InlineData("https://sts.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.mtls.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.us-east7.rep.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.europe-west1.rep.mtls.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://us-east1-sts.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts-xyz123.p.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.example-universe.goog/v1/token", "example-universe.goog")]
    [InlineData("https://STS.GOOGLEAPIS.COM:443/v1/token", "googleapis.com")]
    public void ValidateStsUrl_GoogleHost_Accepts(string url, string universe)
    {
        GoogleEndpointPolicy.ValidateStsUrl(new Uri(url), universe, allowNonStandard: false, "token_url", "hop");
    }

    [Theory]
    [InlineData("http://sts.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.googleapis.com.evil.example/v1/token", "googleapis.com")]
    [InlineData("https://evil.example/v1/token", "googleapis.com")]
    [InlineData("https://sts.googleapis.com:8443/v1/token", "googleapis.com")]
    [InlineData("https://iamcredentials.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://sts.googleapis.com/v1/token", "example-universe.goog")]
    [InlineData("https://xsts.googleapis.com/v1/token", "googleapis.com")]
    [InlineData("https://127.0.0.1/v1/token", "googleapis.com")]
    public void ValidateStsUrl_OtherHost_Refuses(string url, string universe)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() =>
            GoogleEndpointPolicy.ValidateStsUrl(new Uri(url), universe, allowNonStandard: false, "token_url", "hop"));

        Assert.Contains("token_url", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowNonStandardEndpoints", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ValidateStsUrl_UserInfo_IsRefusedEvenWithTheOverride(bool allowNonStandard)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() =>
            GoogleEndpointPolicy.ValidateStsUrl(new Uri("https://user:secret-pw@sts.googleapis.com/v1/token"), "googleapis.com", allowNonStandard, "token_url", "hop"));

        Assert.Contains("user info", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateStsUrl_OverrideAllowed_AcceptsLoopbackHttp()
    {
        GoogleEndpointPolicy.ValidateStsUrl(new Uri("http://127.0.0.1:8080/v1/token"), "googleapis.com", allowNonStandard: true, "token_url", "hop");
    }

    [Theory]
    [InlineData("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken", true)]
    [InlineData("https://iamcredentials.mtls.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken", true)]
    [InlineData("https://iamcredentials.evil.example/v1/projects/-/serviceAccounts/a@b:generateAccessToken", false)]
    [InlineData("http://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken", false)]
    [InlineData("https://sts.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken", false)]
    public void ValidateIamCredentialsUrl_ChecksHost(string url, bool accepted)
    {
        void Validate() => GoogleEndpointPolicy.ValidateIamCredentialsUrl(new Uri(url), "googleapis.com", allowNonStandard: false, "service_account_impersonation_url", "hop");
        if (accepted)
        {
            Validate();
        }
        else
        {
            Assert.Throws<CredentialConfigurationException>(Validate);
        }
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials", true)]
    [InlineData("http://[fd00:ec2::254]/latest/api/token", true)]
    [InlineData("https://169.254.169.254/latest/api/token", false)]
    [InlineData("http://169.254.170.2/v2/credentials", false)]
    [InlineData("http://metadata.evil.example/latest", false)]
    [InlineData("http://169.254.169.254.nip.io/latest", false)]
    public void ValidateAwsMetadataUrl_OnlyLinkLocal(string url, bool accepted)
    {
        void Validate() => GoogleEndpointPolicy.ValidateAwsMetadataUrl(new Uri(url), allowNonStandard: false, "credential_source.url", "hop");
        if (accepted)
        {
            Validate();
        }
        else
        {
            CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(Validate);
            Assert.Contains("169.254.169.254", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ValidateAwsMetadataUrl_OverrideAllowed_AcceptsEmulator()
    {
        GoogleEndpointPolicy.ValidateAwsMetadataUrl(new Uri("http://127.0.0.1:1338/latest/api/token"), allowNonStandard: true, "credential_source.imdsv2_session_token_url", "hop");
    }

    [Fact]
    public void ValidateAwsMetadataUrl_OverrideAllowed_StillRefusesOtherSchemes()
    {
        Assert.Throws<CredentialConfigurationException>(() =>
            GoogleEndpointPolicy.ValidateAwsMetadataUrl(new Uri("ftp://127.0.0.1/x"), allowNonStandard: true, "credential_source.url", "hop"));
    }
}
