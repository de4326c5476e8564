using System.Net;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.Aws.Sources;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws.Profiles;

public sealed class AwsProfileCredentialSourceTests : AwsCredentialSourceContractTests, IDisposable
{
    private const string ConfigPath = "/home/test/.aws/config";
    private const string CredentialsPath = "/home/test/.aws/credentials";
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

    private readonly List<AwsProfileCredentialSource> _created = [];

    protected override string HopPrefix => "aws-";

    protected override string[] ExtraSecrets => [Fixtures.ProjectedToken];

    private AwsProfileCredentialSourceOptions Options { get; } = new();

    public void Dispose()
    {
        foreach (AwsProfileCredentialSource source in _created)
        {
            source.Dispose();
        }
    }

    protected override ICredentialProvider<AwsCredentials> CreateSource() => CreateProfile();

    protected override void ArrangeAvailable()
    {
        ArrangeSeed001();
        Environment.Set("AWS_PROFILE", "ci-env");
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));
    }

    protected override void ArrangeUnavailable()
    {
    }

    protected override bool ArrangeRejected()
    {
        ArrangeSeed001();
        Environment.Set("AWS_PROFILE", "target-env");
        Http.On(HttpMethod.Post, "/",
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))),
            StsResponses.Fail(HttpStatusCode.Forbidden, "AccessDenied", "not authorized to perform: sts:AssumeRole"));
        return true;
    }

    [Fact]
    public async Task GetAsync_Seed001TargetEnv_ChainsWebIdentityThenAssumeRoleAsWritten()
    {
        ArrangeSeed001();
        Options.ProfileName = "target-env";
        Http.On(HttpMethod.Post, "/",
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1), keyId: "ASIACIENV00000000001")),
            StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1), keyId: "ASIATARGET0000000001")));
        ListLogger logger = new();

        AwsCredentials credentials = await CreateProfile(logger).GetAsync();

        Assert.Equal("ASIATARGET0000000001", credentials.AccessKeyId);
        Assert.Equal(2, Http.Requests.Count);
        IReadOnlyDictionary<string, string> first = StsResponses.Form(Http.Requests[0]);
        Assert.Equal("AssumeRoleWithWebIdentity", first["Action"]);
        Assert.Equal("arn:aws:iam::CI_ACCOUNT_ID:role/ci-account-iam-role", first["RoleArn"]);
        Assert.Equal(Fixtures.ProjectedToken, first["WebIdentityToken"]);
        IReadOnlyDictionary<string, string> second = StsResponses.Form(Http.Requests[1]);
        Assert.Equal("AssumeRole", second["Action"]);
        Assert.Equal("arn:aws:iam::TARGET_ACCOUNT_ID:role/target-account-iam-role", second["RoleArn"]);
        Assert.Equal("xactarget", second["RoleSessionName"]);
        Assert.Contains("Credential=ASIACIENV00000000001/", Http.Requests[1].Headers["Authorization"], StringComparison.Ordinal);

        // The seed's path ends with a stray '.'; it is read without it, with a warning that says so.
        Assert.Contains(logger.Messages, m => m.Text.Contains("trailing '.'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAsync_IntermediateHopIsCached_OnlyFinalHopCallsStsAgain()
    {
        ArrangeSeed001();
        Options.ProfileName = "target-env";
        Http.On(HttpMethod.Post, "/",
            StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))),
            StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));
        AwsProfileCredentialSource source = CreateProfile();

        await source.GetAsync();
        await source.GetAsync();

        Assert.Equal(["AssumeRoleWithWebIdentity", "AssumeRole", "AssumeRole"], Http.Requests.Select(r => StsResponses.Form(r)["Action"]));
    }

    [Fact]
    public async Task GetAsync_ProfileRegion_SelectsRegionalStsEndpoint()
    {
        Environment.WithFile(ConfigPath, $"""
            [profile ci-env]
            role_arn = arn:aws:iam::111111111111:role/ci
            web_identity_token_file = {TokenFile}
            region = eu-central-1
            """).WithFile(TokenFile, Fixtures.ProjectedToken);
        Options.ProfileName = "ci-env";
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));

        await CreateProfile().GetAsync();

        Assert.Equal("sts.eu-central-1.amazonaws.com", Http.Requests[0].Uri.Host);
    }

    [Theory]
    [InlineData(null, "sts-fips.eu-central-1.amazonaws.com")]
    [InlineData("false", "sts.eu-central-1.amazonaws.com")]
    public async Task GetAsync_ProfileUsesFipsEndpoint_SelectsTheFipsHostUnlessTheEnvironmentSaysOtherwise(string? environmentFips, string host)
    {
        Environment.WithFile(ConfigPath, $"""
            [profile ci-env]
            role_arn = arn:aws:iam::111111111111:role/ci
            web_identity_token_file = {TokenFile}
            region = eu-central-1
            use_fips_endpoint = true
            """).WithFile(TokenFile, Fixtures.ProjectedToken);
        Environment.Set("AWS_USE_FIPS_ENDPOINT", environmentFips);
        Options.ProfileName = "ci-env";
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRoleWithWebIdentity(AwsTestData.Now.AddHours(1))));

        await CreateProfile().GetAsync();

        Assert.Equal(host, Http.Requests[0].Uri.Host);
    }

    [Fact]
    public async Task GetAsync_StaticKeysInCredentialsFile_ReturnsThem()
    {
        Environment.WithFile(CredentialsPath, $"[default]\naws_access_key_id = {AwsTestData.AccessKeyId}\naws_secret_access_key = {AwsTestData.SecretAccessKey}\n");

        AwsCredentials credentials = await CreateProfile().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Empty(Http.Requests);
    }

    [Fact]
    public async Task GetAsync_RoleSourcedFromACredentialProcessProfile_AssumesTheRoleWithWhatTheCommandPrinted()
    {
        Environment.WithFile(ConfigPath, """
            [profile deploy]
            role_arn = arn:aws:iam::222222222222:role/deployer
            source_profile = tools

            [profile tools]
            credential_process = /opt/bin/get-creds --account tools
            """);
        Options.ProfileName = "deploy";
        ScriptedProcessRunner runner = new($$"""{"Version":1,"AccessKeyId":"AKIAPROCESS000000001","SecretAccessKey":"{{AwsTestData.SecretAccessKey}}","Expiration":"{{AwsTestData.Now.AddHours(1):O}}"}""");
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));

        await CreateProfile(processRunner: runner).GetAsync();

        Assert.Equal("/opt/bin/get-creds --account tools", Assert.Single(runner.Started).ArgumentList[^1]);
        Assert.Contains("Credential=AKIAPROCESS000000001/", Http.Requests.Single().Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_CredentialSourceEnvironmentWithExternalIdAndDuration_AssumesRoleOverEnvironmentKeys()
    {
        Environment.Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001").Set("AWS_SECRET_ACCESS_KEY", AwsTestData.SecretAccessKey);
        Environment.WithFile(ConfigPath, """
            [profile deploy]
            role_arn = arn:aws:iam::222222222222:role/deployer
            credential_source = Environment
            external_id = ext-42
            duration_seconds = 7200
            """);
        Options.ProfileName = "deploy";
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(2))));

        await CreateProfile().GetAsync();

        IReadOnlyDictionary<string, string> form = StsResponses.Form(Http.Requests[0]);
        Assert.Equal("ext-42", form["ExternalId"]);
        Assert.Equal("7200", form["DurationSeconds"]);
        Assert.Contains("Credential=AKIAENVIRONMENT00001/", Http.Requests[0].Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SourceProfileNamingItself_UsesItsOwnKeys()
    {
        Environment.WithFile(CredentialsPath, $"""
            [self]
            aws_access_key_id = AKIASELF000000000001
            aws_secret_access_key = {AwsTestData.SecretAccessKey}
            role_arn = arn:aws:iam::222222222222:role/r
            source_profile = self
            """);
        Options.ProfileName = "self";
        Http.On(HttpMethod.Post, "/", StsResponses.Ok(StsResponses.AssumeRole(AwsTestData.Now.AddHours(1))));

        await CreateProfile().GetAsync();

        Assert.Contains("Credential=AKIASELF000000000001/", Http.Requests[0].Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SourceProfileCycle_ThrowsConfigurationShowingTheCycle()
    {
        Environment.WithFile(ConfigPath, """
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = a
            """);
        Options.ProfileName = "a";

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateProfile().GetAsync().AsTask());

        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_NamedProfileMissing_ThrowsConfigurationListingProfiles()
    {
        ArrangeSeed001();
        Environment.Set("AWS_PROFILE", "prod");

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateProfile().GetAsync().AsTask());

        Assert.Equal("aws-profile:prod", error.HopName);
        Assert.Contains("ci-env, target-env", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_MissingSourceProfile_ThrowsConfiguration()
    {
        Environment.WithFile(ConfigPath, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nowhere\n");
        Options.ProfileName = "a";

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateProfile().GetAsync().AsTask());

        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("role_arn = arn:aws:iam::1:role/a", "nothing to assume it with")]
    [InlineData("role_arn = arn:aws:iam::1:role/a\ncredential_source = Magic", "Environment, Ec2InstanceMetadata or EcsContainer")]
    [InlineData("role_arn = arn:aws:iam::1:role/a\ncredential_source = Environment\nsource_profile = b", "both")]
    [InlineData("sso_session = corp", "SSO")]
    [InlineData("region = us-east-1", "neither role_arn")]
    [InlineData("aws_access_key_id = AKIA1", "aws_secret_access_key")]
    [InlineData("role_arn = arn:aws:iam::1:role/a\ncredential_source = Environment\nduration_seconds = an hour", "duration_seconds")]
    [InlineData("role_arn = arn:aws:iam::1:role/a\ncredential_source = Environment\nmfa_serial = arn:aws:iam::1:mfa/u", "MFA")]
    public async Task GetAsync_InvalidProfile_ThrowsConfigurationWithFix(string body, string expected)
    {
        Environment.WithFile(ConfigPath, "[profile a]\n" + body + "\n");
        Options.ProfileName = "a";

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateProfile().GetAsync().AsTask());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_FilesFromEnvironmentVariables_ReadsThem()
    {
        Environment.Set("AWS_CONFIG_FILE", "/etc/aws/config").Set("AWS_SHARED_CREDENTIALS_FILE", "~/creds");
        Environment.WithFile("/etc/aws/config", "[profile p]\nregion = us-west-2\n");
        Environment.WithFile("/home/test/creds", $"[p]\naws_access_key_id = {AwsTestData.AccessKeyId}\naws_secret_access_key = {AwsTestData.SecretAccessKey}\n");
        Options.ProfileName = "p";

        AwsCredentials credentials = await CreateProfile().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_FilesAppearLater_ResolvesOnTheNextCall()
    {
        AwsProfileCredentialSource source = CreateProfile();
        await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => source.GetAsync().AsTask());

        Environment.WithFile(CredentialsPath, $"[default]\naws_access_key_id = {AwsTestData.AccessKeyId}\naws_secret_access_key = {AwsTestData.SecretAccessKey}\n");

        Assert.Equal(AwsTestData.AccessKeyId, (await source.GetAsync()).AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_AfterDispose_ThrowsObjectDisposed()
    {
        AwsProfileCredentialSource source = CreateProfile();
        source.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => source.GetAsync().AsTask());
    }

    private void ArrangeSeed001() =>
        Environment.WithFile(ConfigPath, Fixtures.Read("seed001-aws-config")).WithFile(TokenFile, Fixtures.ProjectedToken + "\n");

    private AwsProfileCredentialSource CreateProfile(ListLogger? logger = null, IProcessRunner? processRunner = null)
    {
        Options.Sts.HttpClient = Http.CreateClient();
        Options.Sts.Retry = new HopRetryOptions { MaxAttempts = 1 };
        AwsProfileCredentialSource source = new(Options, Environment, Time, logger, httpClient: null, processRunner);
        _created.Add(source);
        return source;
    }
}
