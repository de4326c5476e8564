using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Aws.Sources;

/// <summary>
/// The contract every AWS credential source keeps, run against each of them: unavailable → a
/// <see cref="CredentialSourceUnavailableException"/> naming the hop; success → credentials with the expiry the upstream
/// reported; upstream failures → typed exceptions naming the hop; and no secret in any message or hop name.
/// </summary>
public abstract class AwsCredentialSourceContractTests
{
    protected FakeTimeProvider Time { get; } = new(AwsTestData.Now);

    private protected FakeSystemEnvironment Environment { get; } = new();

    private protected FakeHttpHandler Http { get; } = new();

    /// <summary>Gets the expiry the arranged upstream reports, or <see langword="null"/> for sources without one.</summary>
    protected virtual DateTimeOffset? ExpectedExpiry => AwsTestData.Now.AddHours(1);

    /// <summary>Gets the start every hop name of this source has.</summary>
    protected abstract string HopPrefix { get; }

    /// <summary>Gets further secrets that the arranged environment holds (web identity tokens, authorization tokens).</summary>
    protected virtual string[] ExtraSecrets => [];

    protected abstract ICredentialProvider<AwsCredentials> CreateSource();

    /// <summary>Arranges an environment where the source finds its credentials.</summary>
    protected abstract void ArrangeAvailable();

    /// <summary>Arranges an environment where the source does not exist (variables unset, no endpoint).</summary>
    protected abstract void ArrangeUnavailable();

    /// <summary>Arranges an upstream that rejects or fails; <see langword="false"/> when the source has no upstream.</summary>
    protected abstract bool ArrangeRejected();

    [Fact]
    public async Task GetAsync_Available_ReturnsCredentialsWithReportedExpiry()
    {
        ArrangeAvailable();

        AwsCredentials credentials = await CreateSource().GetAsync();

        Assert.Equal(AwsTestData.AccessKeyId, credentials.AccessKeyId);
        Assert.Equal(AwsTestData.SecretAccessKey, credentials.SecretAccessKey);
        Assert.Equal(ExpectedExpiry ?? DateTimeOffset.MaxValue, credentials.ExpiresOn);
        AwsTestData.AssertNoSecret(credentials.ToString(), ExtraSecrets);
    }

    [Fact]
    public async Task GetAsync_NotConfigured_ThrowsUnavailableNamingHop()
    {
        ArrangeUnavailable();

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(() => CreateSource().GetAsync().AsTask());

        Assert.StartsWith(HopPrefix, error.HopName, StringComparison.Ordinal);
        Assert.StartsWith("[" + error.HopName + "]", error.Message, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error, ExtraSecrets);
    }

    [Fact]
    public async Task GetAsync_UpstreamRejects_ThrowsTypedErrorNamingHopWithoutSecrets()
    {
        if (!ArrangeRejected())
        {
            return;
        }

        CrossCloudAuthException error = await Assert.ThrowsAnyAsync<CrossCloudAuthException>(() => CreateSource().GetAsync().AsTask());

        Assert.IsNotType<CredentialSourceUnavailableException>(error);
        Assert.StartsWith(HopPrefix, error.HopName, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(error, ExtraSecrets);
        foreach (RecordedRequest request in Http.Requests)
        {
            Assert.DoesNotContain(AwsTestData.SecretAccessKey, request.Uri.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HopName_Always_NamesServiceWithoutSecrets()
    {
        ArrangeAvailable();

        string hop = CreateSource().HopName;

        Assert.StartsWith(HopPrefix, hop, StringComparison.Ordinal);
        AwsTestData.AssertNoSecret(hop, ExtraSecrets);
    }
}
