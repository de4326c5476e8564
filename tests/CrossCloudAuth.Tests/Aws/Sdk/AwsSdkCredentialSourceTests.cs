using Amazon.Runtime;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.Aws.Sources;

namespace CrossCloudAuth.Tests.Aws.Sdk;

public sealed class AwsSdkCredentialSourceTests : AwsCredentialSourceContractTests
{
    private AWSCredentials? _sdk;

    protected override string HopPrefix => "aws-sdk:";

    protected override ICredentialProvider<AwsCredentials> CreateSource() => new AwsSdkCredentialSource(_sdk ?? new FixedRefreshing(AwsTestData.Now.AddHours(1)));

    protected override void ArrangeAvailable() => _sdk = new FixedRefreshing(AwsTestData.Now.AddHours(1));

    protected override void ArrangeUnavailable() => _sdk = new Throwing(new AmazonClientException("Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: ..."));

    protected override bool ArrangeRejected()
    {
        _sdk = new Throwing(new AmazonServiceException("Access denied", ErrorType.Sender, "AccessDenied", "rid", System.Net.HttpStatusCode.Forbidden));
        return true;
    }

    [Fact]
    public async Task GetAsync_BasicKeys_ReportsNoExpiry()
    {
        _sdk = new BasicAWSCredentials("AKIABASIC00000000001", AwsTestData.SecretAccessKey);

        AwsCredentials credentials = await CreateSource().GetAsync();

        Assert.False(credentials.IsTemporary);
        Assert.Null(credentials.SessionToken);
        Assert.Equal("aws-sdk:BasicAWSCredentials", CreateSource().HopName);
    }

    [Fact]
    public async Task GetAsync_SessionCredentials_KeepsToken()
    {
        _sdk = new SessionAWSCredentials(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken);

        Assert.Equal(AwsTestData.SessionToken, (await CreateSource().GetAsync()).SessionToken);
    }

    private sealed class FixedRefreshing : RefreshingAWSCredentials
    {
        private readonly DateTimeOffset _expiration;

        public FixedRefreshing(DateTimeOffset expiration)
        {
            _expiration = expiration;
            PreemptExpiryTime = TimeSpan.Zero;
            ExpirationBuffer = TimeSpan.Zero;
        }

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            new(new ImmutableCredentials(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken), _expiration.UtcDateTime);
    }

    private sealed class Throwing(Exception error) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => throw error;
    }
}
