using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Chain;

/// <summary>
/// The default chain as a new user meets it: a laptop with <c>~/.aws/credentials</c>, a pod, a task. The environment is
/// faked; AWS STS and the container endpoint are the project's emulator, which verifies signatures and trust.
/// </summary>
public sealed class DefaultAwsCredentialChainTests
{
    private const string Account = "111122223333";
    private const string CredentialsPath = "/home/test/.aws/credentials";
    private const string ConfigPath = "/home/test/.aws/config";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeSystemEnvironment _environment = new();
    private readonly ListLogger _logger = new();

    [Fact]
    public async Task GetAsync_LaptopDefaultProfileWithoutAwsProfile_ReturnsTheDefaultProfileKeys()
    {
        _environment.WithFile(CredentialsPath, "[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptopSecretKey0000000000000000000000001\n");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

        AwsCredentials credentials = await chain.GetAsync();

        Assert.Equal("AKIALAPTOP0000000001", credentials.AccessKeyId);
        Assert.Equal("aws-profile:default", chain.HopName);
        Assert.Contains(_logger.Messages, m => m.Text.Contains("skipped environment: AWS_ACCESS_KEY_ID is not set", StringComparison.Ordinal));
        Assert.Contains(_logger.Messages, m => m.Text.Contains("using profile (aws-profile:default)", StringComparison.Ordinal));
        Errors.AssertNoSecret(_logger, "laptopSecretKey0000000000000000000000001");
    }

    [Fact]
    public async Task GetAsync_DefaultProfileWithRoleArnAndSourceProfile_AssumesTheRoleAtTheEmulator()
    {
        // AWSSDK.SecurityToken signs with the machine's clock, so the emulated STS and the chain keep that clock here.
        AwsUser? developer = null;
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            AwsAccountBuilder account = b.AddAwsAccount(Account);
            developer = account.AddUser("developer");
            account.AddRole("deployer", t => t.AllowPrincipal(developer.Arn));
        });
        _environment
            .Set("AWS_ENDPOINT_URL_STS", cloud.AwsStsEndpoint.AbsoluteUri)
            .WithFile(CredentialsPath, $"[base]\naws_access_key_id = {developer!.Credentials.AccessKeyId}\naws_secret_access_key = {developer.Credentials.SecretAccessKey}\n")
            .WithFile(ConfigPath, $"[default]\nrole_arn = arn:aws:iam::{Account}:role/deployer\nsource_profile = base\nrole_session_name = laptop\nregion = eu-west-1\n");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: TimeProvider.System, logger: _logger);

        AwsCredentials first = await chain.GetAsync();
        AwsCredentials second = await chain.GetAsync();

        Assert.True(first.IsTemporary);
        Assert.Same(first, second);
        RecordedRequestAssert.Single(cloud, "AssumeRole", $"arn:aws:iam::{Account}:role/deployer");
        Assert.Equal("eu-west-1", await chain.ResolveRegionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_EnvironmentKeysAndDefaultProfile_TakesTheEnvironmentFirst()
    {
        _environment
            .Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
            .Set("AWS_SECRET_ACCESS_KEY", "environmentSecret000000000000000000000001")
            .WithFile(CredentialsPath, "[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptopSecretKey0000000000000000000000001\n");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

        AwsCredentials credentials = await chain.GetAsync();

        Assert.Equal("AKIAENVIRONMENT00001", credentials.AccessKeyId);
        Assert.Equal(0, _environment.FileReads);
    }

    [Fact]
    public async Task GetAsync_AfterTheChoice_KeepsTheChosenSourceWhenTheEnvironmentChanges()
    {
        _environment.WithFile(CredentialsPath, "[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptopSecretKey0000000000000000000000001\n");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);
        await chain.GetAsync();

        _environment.Set("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001").Set("AWS_SECRET_ACCESS_KEY", "environmentSecret000000000000000000000001");
        AwsCredentials later = await chain.GetAsync();

        Assert.Equal("AKIALAPTOP0000000001", later.AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_NamedProfileMissing_ThrowsConfigurationAndTriesAgainNextCall()
    {
        _environment.Set("AWS_PROFILE", "prod").WithFile(CredentialsPath, "[default]\naws_access_key_id = AKIALAPTOP0000000001\naws_secret_access_key = laptopSecretKey0000000000000000000000001\n");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => chain.GetAsync().AsTask());
        _environment.WithFile(CredentialsPath, "[prod]\naws_access_key_id = AKIAPROD000000000001\naws_secret_access_key = prodSecretKey00000000000000000000000001\n");
        AwsCredentials fixedUp = await chain.GetAsync();

        Assert.Equal("aws-profile:prod", error.HopName);
        Assert.Contains("AWS_PROFILE", error.Message, StringComparison.Ordinal);
        Assert.Equal("AKIAPROD000000000001", fixedUp.AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_NothingAppliesAndMetadataDisabled_ThrowsUnavailableAfterOneLinePerSkippedStep()
    {
        _environment.Set("AWS_EC2_METADATA_DISABLED", "true");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => chain.GetAsync().AsTask());

        Assert.Equal("aws-default-chain", error.HopName);
        string[] skipped = [.. _logger.Messages.Select(m => m.Text).Where(t => t.Contains("skipped", StringComparison.Ordinal))];
        Assert.Equal(5, skipped.Length);
        Assert.Contains(skipped, t => t.Contains("skipped profile: no [default] profile in '/home/test/.aws/credentials'", StringComparison.Ordinal));
        Assert.Contains(skipped, t => t.Contains("skipped instance metadata: AWS_EC2_METADATA_DISABLED is true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAsync_EksPodIdentity_FetchesOnceAndServesTheCache()
    {
        await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            b.UseTimeProvider(_clock);
            b.AddAwsAccount(Account).AddRole("pod-role", t => t.AllowPrincipal("pods.eks.amazonaws.com"));
            b.ConfigureContainerCredentials(c => c.UseRole(Account, "pod-role").RequireAuthorizationToken("pod-identity-token"));
        });
        _environment
            .Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", cloud.ContainerCredentialsUri.AbsoluteUri)
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")
            .WithFile("/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token", "pod-identity-token");
        using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

        AwsCredentials[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => chain.GetAsync().AsTask()));

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Single(cloud.Requests.For(EmulatedService.ContainerCredentials));
        Assert.StartsWith("aws-container", chain.HopName, StringComparison.Ordinal);
        Assert.Same(chain.SdkCredentials, chain.SdkCredentials);
        Assert.Equal(results[0].AccessKeyId, (await chain.SdkCredentials.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task GetAsync_SsoProfileWithSdkDelegationOff_ThrowsConfigurationNamingTheSetting()
    {
        _environment.WithFile(ConfigPath, "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n");
        using DefaultAwsCredentialChain chain = new(new DefaultAwsCredentialChainOptions { UseAwsSdkForOtherProfiles = false }, _environment, _clock, _logger);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => chain.GetAsync().AsTask());

        Assert.Contains("sso", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseAwsSdkForOtherProfiles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the profile runs a shell script
    public async Task GetAsync_CredentialProcessProfile_IsResolvedByTheProfileSourceBehindTheCache()
    {
        // The script the profile runs lives on disk; the files are read through the environment seam.
        string directory = Directory.CreateTempSubdirectory("crosscloudauth-chain-").FullName;
        try
        {
            string script = Path.Join(directory, "get-credentials.sh");
            await File.WriteAllTextAsync(script, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS000000001\", \"SecretAccessKey\": \"processSecret0000000000000000000000000001\"}'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string credentials = Path.Join(directory, "credentials");
            string profiles = $"[default]\ncredential_process = {script}\n";
            await File.WriteAllTextAsync(credentials, profiles);
            _environment.Set("AWS_SHARED_CREDENTIALS_FILE", credentials).Set("AWS_CONFIG_FILE", Path.Join(directory, "config")).WithFile(credentials, profiles);
            using DefaultAwsCredentialChain chain = new(null, environment: _environment, timeProvider: _clock, logger: _logger);

            AwsCredentials first = await chain.GetAsync();
            AwsCredentials second = await chain.GetAsync();

            Assert.Equal("AKIAPROCESS000000001", first.AccessKeyId);
            Assert.Same(first, second);
            Assert.Equal("aws-profile:default", chain.HopName);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static class RecordedRequestAssert
    {
        public static void Single(CloudEmulator cloud, string action, string roleArn)
        {
            Testing.Hosting.RecordedRequest request = Assert.Single(cloud.Requests.For(EmulatedService.AwsSts));
            Assert.Equal(action, request.Form["Action"]);
            Assert.Equal(roleArn, request.Form["RoleArn"]);
        }
    }

    private static class Errors
    {
        public static void AssertNoSecret(ListLogger logger, string secret) =>
            Assert.DoesNotContain(logger.Messages, m => m.Text.Contains(secret, StringComparison.Ordinal));
    }
}
