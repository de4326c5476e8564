using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Tests.Aws;

public sealed class AwsCredentialsRedactionTests
{
    [Fact]
    public void ToString_TemporaryCredentials_ShowsNeitherSecretKeyNorSessionToken()
    {
        AwsCredentials credentials = new("ASIAEXAMPLEKEYID", "wJalrXUtnFEMI-secret", "FwoGZXIvYXdzEB-session", DateTimeOffset.MaxValue.AddDays(-1));

        string text = credentials.ToString();

        Assert.DoesNotContain("wJalrXUtnFEMI", text, StringComparison.Ordinal);
        Assert.DoesNotContain("FwoGZXIvYXdzEB", text, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLEKEYID", text, StringComparison.Ordinal);
        Assert.Contains("ASIA", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_LongTermKeys_SaysTheyNeverExpire()
    {
        AwsCredentials credentials = new("AKIAEXAMPLEKEYID", "wJalrXUtnFEMI-secret");

        Assert.False(credentials.IsTemporary);
        Assert.Contains("never", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wJalrXUtnFEMI", credentials.ToString(), StringComparison.Ordinal);
    }
}
