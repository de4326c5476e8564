using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Tests.Aws.Sources;

public sealed class EnvironmentCredentialSourceTests : AwsCredentialSourceContractTests
{
    protected override DateTimeOffset? ExpectedExpiry => null;

    protected override string HopPrefix => "aws-env:";

    protected override ICredentialProvider<AwsCredentials> CreateSource() => new EnvironmentCredentialSource(Environment);

    protected override void ArrangeAvailable() =>
        Environment.Set("AWS_ACCESS_KEY_ID", AwsTestData.AccessKeyId)
            .Set("AWS_SECRET_ACCESS_KEY", AwsTestData.SecretAccessKey)
            .Set("AWS_SESSION_TOKEN", AwsTestData.SessionToken);

    protected override void ArrangeUnavailable()
    {
    }

    protected override bool ArrangeRejected() => false;

    [Fact]
    public async Task GetAsync_SessionTokenSet_ReturnsTemporaryCredentialsWithoutExpiry()
    {
        ArrangeAvailable();

        AwsCredentials credentials = await CreateSource().GetAsync();

        Assert.Equal(AwsTestData.SessionToken, credentials.SessionToken);
        Assert.False(credentials.IsTemporary);
    }

    [Fact]
    public async Task GetAsync_NoSessionToken_ReturnsLongTermKeys()
    {
        Environment.Set("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE").Set("AWS_SECRET_ACCESS_KEY", AwsTestData.SecretAccessKey);

        AwsCredentials credentials = await CreateSource().GetAsync();

        Assert.Null(credentials.SessionToken);
    }

    [Fact]
    public async Task GetAsync_KeyIdWithoutSecret_ThrowsConfiguration()
    {
        Environment.Set("AWS_ACCESS_KEY_ID", AwsTestData.AccessKeyId).Set("AWS_SESSION_TOKEN", AwsTestData.SessionToken);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => CreateSource().GetAsync().AsTask());

        Assert.Contains("AWS_SECRET_ACCESS_KEY", error.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error);
    }

    [Fact]
    public async Task GetAsync_VariablesChange_ReadsThemAgain()
    {
        ArrangeAvailable();
        EnvironmentCredentialSource source = new(Environment);
        await source.GetAsync();

        Environment.Set("AWS_ACCESS_KEY_ID", "ASIAROTATED");

        Assert.Equal("ASIAROTATED", (await source.GetAsync()).AccessKeyId);
    }
}
