using System.Text;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.Google.Fixtures;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Google.Configuration;

public sealed class ExternalAccountConfigurationTests
{
    private const string MinimalFile = """
        {"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/o",
         "subject_token_type":"urn:ietf:params:oauth:token-type:jwt","token_url":"https://sts.googleapis.com/v1/token",
         "credential_source":{"file":"/token"}}
        """;

    [Fact]
    public void Parse_EksIrsaFileForm_ReadsEveryField()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read("eks-irsa-file.json"), "eks.json");

        Assert.Equal("//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/aws-test/providers/test-oidc", config.Audience);
        Assert.Equal(SubjectTokenTypes.Jwt, config.SubjectTokenType);
        Assert.Equal(new Uri("https://sts.googleapis.com/v1/token"), config.TokenUrl);
        Assert.Equal(CredentialSourceKind.File, config.CredentialSource.Kind);
        Assert.Equal("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", config.CredentialSource.File);
        Assert.False(config.CredentialSource.Format.IsJson);
        Assert.Equal("sa01@my-project.iam.gserviceaccount.com", config.ServiceAccountEmail);
        Assert.Null(config.TokenLifetime);
        Assert.Equal("googleapis.com", config.UniverseDomain);
        Assert.Equal("eks.json", config.Source);
    }

    [Fact]
    public void Parse_Ec2Aws1Form_ReadsMetadataUrls()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read("ec2-aws1.json"));

        ExternalAccountCredentialSource source = config.CredentialSource;
        Assert.Equal(CredentialSourceKind.Aws, source.Kind);
        Assert.Equal("aws1", source.EnvironmentId);
        Assert.Equal(new Uri("http://169.254.169.254/latest/meta-data/placement/availability-zone"), source.RegionUrl);
        Assert.Equal(new Uri("http://169.254.169.254/latest/meta-data/iam/security-credentials"), source.Url);
        Assert.Equal("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", source.RegionalCredentialVerificationUrl);
        Assert.Equal(new Uri("http://169.254.169.254/latest/api/token"), source.Imdsv2SessionTokenUrl);
        Assert.Equal(SubjectTokenTypes.Aws4Request, config.SubjectTokenType);
    }

    [Fact]
    public void Parse_Seed003FormWithoutImdsv2_LeavesSessionTokenUrlUnset()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read("ec2-aws1-no-imdsv2.json"));

        Assert.Equal(CredentialSourceKind.Aws, config.CredentialSource.Kind);
        Assert.Null(config.CredentialSource.Imdsv2SessionTokenUrl);
        Assert.Equal("sa01@my-project.iam.gserviceaccount.com", config.ServiceAccountEmail);
    }

    [Fact]
    public void Parse_UrlSourceWithAllOptionalFields_ReadsThem()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read("url-json-all-fields.json"));

        Assert.Equal(CredentialSourceKind.Url, config.CredentialSource.Kind);
        Assert.Equal(new Uri("http://localhost:5000/token"), config.CredentialSource.Url);
        Assert.Equal("True", config.CredentialSource.Headers["Metadata"]);
        Assert.Equal("id_token", config.CredentialSource.Format.SubjectTokenFieldName);
        Assert.Equal(TimeSpan.FromHours(2), config.TokenLifetime);
        Assert.Equal("my-quota-project", config.QuotaProjectId);
        Assert.Equal("123456789", config.WorkforcePoolUserProject);
        Assert.Equal("client-id", config.ClientId);
        Assert.Equal("client-secret-value", config.ClientSecret);
        Assert.Equal(new Uri("https://sts.googleapis.com/v1/introspect"), config.TokenInfoUrl);
        Assert.DoesNotContain("client-secret-value", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExecutableSource_ReadsCommandTimeoutAndOutputFile()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(FixtureFiles.Read("executable.json"));

        Assert.Equal(CredentialSourceKind.Executable, config.CredentialSource.Kind);
        Assert.Equal("/usr/local/bin/get-token --audience=pool", config.CredentialSource.ExecutableCommand);
        Assert.Equal(TimeSpan.FromSeconds(5), config.CredentialSource.ExecutableTimeout);
        Assert.Equal("/tmp/token-cache.json", config.CredentialSource.ExecutableOutputFile);
    }

    [Fact]
    public void Parse_NoTokenUrl_DefaultsToUniverseDomainSts()
    {
        ExternalAccountConfiguration config = ExternalAccountConfiguration.Parse(MinimalFile.Replace("\"token_url\":\"https://sts.googleapis.com/v1/token\",", "\"universe_domain\":\"example-universe.goog\",", StringComparison.Ordinal));

        Assert.Equal(new Uri("https://sts.example-universe.goog/v1/token"), config.TokenUrl);
        Assert.Equal("example-universe.goog", config.UniverseDomain);
    }

    [Theory]
    [InlineData("not json at all", "not a JSON object")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("null", "null")]
    [InlineData("{}", "has no \"type\" field")]
    [InlineData("""{"type":"service_account"}""", "service account key")]
    [InlineData("""{"type":"external_account_authorized_user"}""", "external_account_authorized_user")]
    [InlineData("""{"type":"something_else"}""", "unknown type \"something_else\"")]
    [InlineData("""{"type":"external_account","subject_token_type":"x","credential_source":{"file":"/t"}}""", "audience is missing")]
    [InlineData("""{"type":"external_account","audience":"  ","subject_token_type":"x","credential_source":{"file":"/t"}}""", "audience is missing")]
    [InlineData("""{"type":"external_account","audience":"a","credential_source":{"file":"/t"}}""", "subject_token_type is missing")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x"}""", "credential_source is missing")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{}}""", "none of file, url, executable or environment_id")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t","url":"https://x/"}}""", "file and url")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t","format":{"type":"xml"}}}""", "format.type is \"xml\"")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t","format":{"type":"json"}}}""", "subject_token_field_name is required")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"url":"not a url"}}""", "credential_source.url is not an absolute")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"url":"file:///etc/passwd"}}""", "credential_source.url is not an absolute")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request","credential_source":{"environment_id":"aws2","regional_cred_verification_url":"https://sts.{region}.amazonaws.com"}}""", "only \"aws1\"")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","credential_source":{"environment_id":"aws1","regional_cred_verification_url":"https://sts.{region}.amazonaws.com"}}""", "subject_token_type must be")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request","credential_source":{"environment_id":"aws1"}}""", "regional_cred_verification_url is missing")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"executable":{}}}""", "executable.command is missing")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"executable":{"command":"/bin/x","timeout_millis":1000}}}""", "timeout_millis must be between 5000 and 120000")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"certificate":{"use_default_certificate_config":true}}}""", "certificate")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/sa"}""", "service_account_impersonation_url must end in")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"service_account_impersonation":{"token_lifetime_seconds":60}}""", "token_lifetime_seconds must be between 5 minutes (300 s) and 12 hours (43200 s)")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"service_account_impersonation":{"token_lifetime_seconds":43201}}""", "token_lifetime_seconds must be between 5 minutes (300 s) and 12 hours (43200 s)")]
    [InlineData("""{"type":"external_account","audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/o","subject_token_type":"x","credential_source":{"file":"/t"},"workforce_pool_user_project":"1"}""", "workforce_pool_user_project is only valid")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"client_secret":"s"}""", "client_secret is set without client_id")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"universe_domain":"https://evil"}""", "universe_domain must be a bare domain")]
    public void Parse_MalformedConfiguration_ThrowsNamingTheProblem(string json, string expected)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => ExternalAccountConfiguration.Parse(json, "cfg.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("google-config:cfg.json", error.HopName);
        Assert.DoesNotContain("client-secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"external_account","audience":5}""", "audience")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":"file"}""", "credential_source")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":["/t"]}}""", "credential_source.file")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"url":"https://x/","headers":["a"]}}""", "credential_source.headers")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"file":"/t"},"service_account_impersonation":{"token_lifetime_seconds":"abc"}}""", "service_account_impersonation.token_lifetime_seconds")]
    [InlineData("""{"type":"external_account","audience":"a","subject_token_type":"x","credential_source":{"executable":{"command":"/x","timeout_millis":true}}}""", "credential_source.executable.timeout_millis")]
    [InlineData("""{"type":true}""", "type")]
    public void Parse_WrongTypedField_NamesTheField(string json, string field)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => ExternalAccountConfiguration.Parse(json));

        Assert.Contains($"The field {field} has the wrong type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadFromEnvironmentAsync_VariableUnset_ThrowsUnavailable()
    {
        FakeSystemEnvironment environment = new();

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => ExternalAccountConfiguration.LoadFromEnvironmentAsync(environment));

        Assert.Contains("GOOGLE_APPLICATION_CREDENTIALS is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadFromEnvironmentAsync_VariableSet_ReadsThatFile()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp/credentials.json")
            .WithFile("/etc/gcp/credentials.json", FixtureFiles.Read("eks-irsa-file.json"));

        ExternalAccountConfiguration config = await ExternalAccountConfiguration.LoadFromEnvironmentAsync(environment);

        Assert.Equal("/etc/gcp/credentials.json", config.Source);
        Assert.Equal(CredentialSourceKind.File, config.CredentialSource.Kind);
    }

    [Fact]
    public async Task LoadFileAsync_MissingFile_ThrowsUnavailableNamingThePath()
    {
        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => ExternalAccountConfiguration.LoadFileAsync("/nope.json", new FakeSystemEnvironment()));

        Assert.Equal("google-config:/nope.json", error.HopName);
    }

    [Fact]
    public async Task LoadFileAsync_HugeFile_ThrowsConfiguration()
    {
        FakeSystemEnvironment environment = new FakeSystemEnvironment().WithFile("/big.json", new byte[300 * 1024]);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => ExternalAccountConfiguration.LoadFileAsync("/big.json", environment));

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_Stream_ParsesIt()
    {
        using MemoryStream stream = new(Encoding.UTF8.GetBytes(FixtureFiles.Read("ec2-aws1.json")));

        ExternalAccountConfiguration config = await ExternalAccountConfiguration.LoadAsync(stream);

        Assert.Equal(CredentialSourceKind.Aws, config.CredentialSource.Kind);
        Assert.Equal("stream", config.Source);
    }

    [Fact]
    public async Task LoadAsync_Stream_IsLeftOpen()
    {
        using MemoryStream stream = new(Encoding.UTF8.GetBytes(FixtureFiles.Read("eks-irsa-file.json")));

        await ExternalAccountConfiguration.LoadAsync(stream);

        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Parse_HugeString_ThrowsConfiguration()
    {
        Assert.Throws<CredentialConfigurationException>(() => ExternalAccountConfiguration.Parse(new string(' ', 300 * 1024) + "{}"));
    }

    [Fact]
    public async Task LoadAsync_HugeStream_ThrowsConfiguration()
    {
        using MemoryStream stream = new(new byte[1024 * 1024]);

        await Assert.ThrowsAsync<CredentialConfigurationException>(() => ExternalAccountConfiguration.LoadAsync(stream));
    }
}
