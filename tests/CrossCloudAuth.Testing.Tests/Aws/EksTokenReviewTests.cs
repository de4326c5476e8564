using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Aws;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Aws;

public sealed class EksTokenReviewTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task VerifyEksToken_PresignedForThisCluster_AuthenticatesCanonicalRole()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = await TokenAsync(cloud, "target-cluster");

        EksTokenReview review = await cloud.VerifyEksTokenAsync(token, "target-cluster");

        Assert.True(review.IsAuthenticated, review.Error);
        Assert.Equal($"arn:aws:sts::{TargetAccount}:assumed-role/target-role/eks", review.CallerArn);
        Assert.Equal(TargetRoleArn, review.CanonicalArn);
        Assert.Equal(TargetAccount, review.AccountId);
    }

    [Fact]
    public async Task VerifyEksToken_ForAnotherCluster_Rejected()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = await TokenAsync(cloud, "target-cluster");

        EksTokenReview review = await cloud.VerifyEksTokenAsync(token, "other-cluster");

        Assert.False(review.IsAuthenticated);
        Assert.Contains("SignatureDoesNotMatch", review.Error);
    }

    [Fact]
    public async Task VerifyEksToken_OlderThanFifteenMinutes_Rejected()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = await TokenAsync(cloud, "c");
        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        EksTokenReview review = await cloud.VerifyEksTokenAsync(token, "c");

        Assert.Equal("X-Amz-Date parameter is expired (15 minute expiration)", review.Error);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("k8s-aws-v1.!!!")]
    [InlineData("k8s-aws-v1.aHR0cHM6Ly9ldmlsLmV4YW1wbGUuY29tLz9BY3Rpb249R2V0Q2FsbGVySWRlbnRpdHk")]
    public async Task VerifyEksToken_Malformed_Rejected(string token)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);

        EksTokenReview review = await cloud.VerifyEksTokenAsync(token, "c");

        Assert.False(review.IsAuthenticated);
    }

    private async Task<string> TokenAsync(CloudEmulator cloud, string cluster)
    {
        AwsCredentials session = cloud.IssueRoleSession(TargetRoleArn, "eks");
        (Uri url, _) = await AwsRequests.PresignGetCallerIdentityAsync(cloud.AwsStsEndpoint, session, _clock.GetUtcNow(), cluster);
        return "k8s-aws-v1." + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(url.AbsoluteUri)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
