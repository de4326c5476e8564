using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Tests.Google.GoogleTestData;

namespace CrossCloudAuth.Tests.Google;

public sealed class GoogleFederatedCredentialOptionsTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment().WithFile(TokenPath, "oidc");
    private readonly FakeGoogleEndpoints _google = new FakeGoogleEndpoints()
        .OnSts(_ => FakeGoogleEndpoints.StsToken("federated"))
        .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken("impersonated", "2026-11-23T13:00:00Z"));

    public static TheoryData<string, Action<GoogleFederatedCredentialOptions>> InvalidOptions => new()
    {
        { "audience", o => o.Audience = " " },
        { "SubjectTokenSource is required", o => o.SubjectTokenSource = null },
        { "name different service accounts", o => { o.ServiceAccountImpersonationUrl = new Uri(FakeGoogleEndpoints.ImpersonationUrl); o.ServiceAccountEmail = "other@p.iam.gserviceaccount.com"; } },
        { "between 5 minutes (300 s) and 12 hours (43200 s)", o => { o.ServiceAccountEmail = FakeGoogleEndpoints.ServiceAccount; o.TokenLifetime = TimeSpan.FromHours(13); } },
        { "Delegates need service account impersonation", o => o.Delegates.Add("d@p.iam.gserviceaccount.com") },
        { "At least one scope", o => o.Scopes = [] },
        { "workforce pool audience", o => o.WorkforcePoolUserProject = "123" },
        { "token_url", o => o.TokenUrl = new Uri("https://attacker.example/v1/token") },
        { "token_info_url", o => o.TokenInfoUrl = new Uri("https://attacker.example/v1/introspect") },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Create_InvalidOptions_ThrowsNamingTheSetting(string expected, Action<GoogleFederatedCredentialOptions> breakIt)
    {
        GoogleFederatedCredentialOptions options = ValidOptions();
        breakIt(options);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => GoogleFederatedCredential.Create(options));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("google-config:options", error.HopName);
    }

    [Fact]
    public async Task Create_AwsSubjectFromAnyAwsSource_SignsTheChainsCredentials()
    {
        // F5: whatever produced the AWS credentials (a role chain here) signs the aws4_request subject.
        AwsCredentials chained = new(AwsTestData.AccessKeyId, AwsTestData.SecretAccessKey, AwsTestData.SessionToken, Now.AddHours(1));
        AwsSubjectTokenSource subject = new(new FixedAwsCredentials(chained), new AwsSubjectTokenSourceOptions { Audience = AwsAudience, Region = "us-west-2" }, _time, _environment);
        using GoogleFederatedCredential credential = GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
        {
            Audience = AwsAudience,
            SubjectTokenSource = subject,
            ServiceAccountEmail = FakeGoogleEndpoints.ServiceAccount,
            HttpClient = new HttpClient(_google),
            TimeProvider = _time,
        });

        Assert.Equal("impersonated", (await credential.GetAsync()).Token);

        IReadOnlyDictionary<string, string> form = _google.RequestsTo(FakeGoogleEndpoints.StsUrl).Single().Form;
        Assert.Equal(SubjectTokenTypes.Aws4Request, form["subject_token_type"]);
        string decoded = Uri.UnescapeDataString(form["subject_token"]);
        Assert.Contains($"Credential={AwsTestData.AccessKeyId}/20261123/us-west-2/sts/aws4_request", decoded, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsTestData.SecretAccessKey, decoded, StringComparison.Ordinal);
    }

    private GoogleFederatedCredentialOptions ValidOptions() => new()
    {
        Audience = EksAudience,
        SubjectTokenSource = new FileSubjectTokenSource(TokenPath, SubjectTokenTypes.Jwt, environment: _environment),
        HttpClient = new HttpClient(_google),
        TimeProvider = _time,
    };

    private sealed class FixedAwsCredentials(AwsCredentials credentials) : ICredentialProvider<AwsCredentials>
    {
        public string HopName => "aws-sts:AssumeRole(arn:aws:iam::111122223333:role/target)";

        public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(credentials);
    }
}
