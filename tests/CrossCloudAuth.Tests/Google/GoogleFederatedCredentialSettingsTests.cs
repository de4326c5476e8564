using CrossCloudAuth.Google;

namespace CrossCloudAuth.Tests.Google;

public sealed class GoogleFederatedCredentialSettingsTests
{
    [Fact]
    public void ToString_WithClientSecret_RedactsIt()
    {
        using HttpClient http = new();
        GoogleFederatedCredential.Settings settings = new(
            Audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/o",
            SubjectTokenSource: new StaticSubjectTokenSource(),
            TokenUrl: new Uri("https://sts.googleapis.com/v1/token"),
            ImpersonationUrl: null,
            ServiceAccountEmail: null,
            TokenLifetime: null,
            Delegates: [],
            Scopes: ["https://www.googleapis.com/auth/cloud-platform"],
            QuotaProjectId: null,
            WorkforcePoolUserProject: null,
            ClientId: "client-id",
            ClientSecret: "very-secret-client-secret",
            UniverseDomain: "googleapis.com",
            HttpClient: http,
            TimeProvider: TimeProvider.System,
            LoggerFactory: null,
            CacheOptions: null,
            RequestTimeout: TimeSpan.FromSeconds(30),
            Retry: new CrossCloudAuth.Http.HopRetryOptions());

        string text = settings.ToString();

        Assert.DoesNotContain("very-secret-client-secret", text, StringComparison.Ordinal);
        Assert.Contains("client-id", text, StringComparison.Ordinal);
    }

    private sealed class StaticSubjectTokenSource : ISubjectTokenSource
    {
        public string HopName => "test:subject";

        public string SubjectTokenType => "urn:ietf:params:oauth:token-type:jwt";

        public ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult("subject");
    }
}
