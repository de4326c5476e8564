using CrossCloudAuth.Platform;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Conformance.Infrastructure;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Conformance.Gcloud;

/// <summary>
/// Every file gcloud writes loads with the library's parser, with its standard endpoints (no relaxed endpoint policy),
/// and builds the pipeline the file describes. Nothing gcloud writes may be rejected.
/// </summary>
public sealed class GcloudConfigurationLoadingTests(GcloudCredentialConfigurations configurations)
    : IClassFixture<GcloudCredentialConfigurations>
{
    // Executable sources must be enabled explicitly, as in Google's libraries. Deliberate difference: the library
    // checks GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES when the credential is built (fail fast at start-up); Google's
    // libraries (and so `gcloud auth login --cred-file`) accept the file and refuse only when a token is needed.
    private static readonly ScopedEnvironment ExecutablesAllowed =
        new(new Dictionary<string, string> { [ExecutableSubjectTokenSource.AllowExecutablesVariable] = "1" });

    public static TheoryData<string> FormNames => new(GcloudCredentialConfigurations.Forms.Keys);

    [ConformanceTheory(ConformanceTool.Gcloud)]
    [MemberData(nameof(FormNames))]
    public async Task LoadFileAsync_EveryGcloudForm_ParsesAndBuildsWithDefaultPolicy(string form)
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);
        var path = await configurations.PathOfAsync(form);
        var json = await configurations.JsonOfAsync(form);

        var configuration = await ExternalAccountConfiguration.LoadFileAsync(path);
        using var credential = GoogleFederatedCredential.FromConfiguration(configuration, context: new CredentialContext { Environment = ExecutablesAllowed });

        Assert.Equal((string?)json["audience"], configuration.Audience);
        Assert.Equal((string?)json["subject_token_type"], configuration.SubjectTokenType);
        Assert.Equal(new Uri("https://sts.googleapis.com/v1/token"), configuration.TokenUrl);
        Assert.Equal(configuration.SubjectTokenType, credential.SubjectTokenSource.SubjectTokenType);
        var impersonated = json.ContainsKey("service_account_impersonation_url");
        Assert.Equal(impersonated ? GcloudCredentialConfigurations.ServiceAccount : null, credential.ServiceAccountEmail);
        Assert.Equal(impersonated ? $"iam-credentials:generateAccessToken({GcloudCredentialConfigurations.ServiceAccount})" : "google-sts:token-exchange", credential.HopName);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_FileForms_BuildFileSources()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        using var text = await BuildAsync("oidc-file-impersonated");
        using var json = await BuildAsync("oidc-file-json-format");

        var textSource = Assert.IsType<FileSubjectTokenSource>(text.SubjectTokenSource);
        Assert.Equal(GcloudCredentialConfigurations.TokenFile, textSource.Path);
        var jsonSource = Assert.IsType<FileSubjectTokenSource>(json.SubjectTokenSource);
        Assert.Equal("/var/run/token.json", jsonSource.Path);
        var configuration = await LoadAsync("oidc-file-json-format");
        Assert.Equal("id_token", configuration.CredentialSource.Format.SubjectTokenFieldName);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_UrlWithHeaders_KeepsHeadersAndFormat()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var configuration = await LoadAsync("url-json-headers");
        using var credential = GoogleFederatedCredential.FromConfiguration(configuration, context: new CredentialContext { Environment = ExecutablesAllowed });

        Assert.Equal(CredentialSourceKind.Url, configuration.CredentialSource.Kind);
        Assert.Equal("True", configuration.CredentialSource.Headers["Metadata"]);
        Assert.Equal("1", configuration.CredentialSource.Headers["X-Conformance"]);
        Assert.Equal("access_token", configuration.CredentialSource.Format.SubjectTokenFieldName);
        var source = Assert.IsType<UrlSubjectTokenSource>(credential.SubjectTokenSource);
        Assert.Equal(new Uri("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://conformance"), source.Url);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_AwsForms_BuildAwsSubjectSourcesWithImdsv2OnlyWhenAsked()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var v2 = await LoadAsync("aws-imdsv2-impersonated");
        var v1 = await LoadAsync("aws-imdsv1-direct");
        using var v2Credential = GoogleFederatedCredential.FromConfiguration(v2, context: new CredentialContext { Environment = ExecutablesAllowed });
        using var v1Credential = GoogleFederatedCredential.FromConfiguration(v1, context: new CredentialContext { Environment = ExecutablesAllowed });

        Assert.Equal(CredentialSourceKind.Aws, v2.CredentialSource.Kind);
        Assert.Equal("aws1", v2.CredentialSource.EnvironmentId);
        Assert.Equal(new Uri("http://169.254.169.254/latest/api/token"), v2.CredentialSource.Imdsv2SessionTokenUrl);
        Assert.Null(v1.CredentialSource.Imdsv2SessionTokenUrl);
        Assert.Equal("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15", v1.CredentialSource.RegionalCredentialVerificationUrl);
        Assert.IsType<AwsSubjectTokenSource>(v2Credential.SubjectTokenSource);
        Assert.IsType<AwsSubjectTokenSource>(v1Credential.SubjectTokenSource);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_Executable_KeepsCommandTimeoutAndOutputFile()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var configuration = await LoadAsync("executable");
        using var credential = GoogleFederatedCredential.FromConfiguration(configuration, context: new CredentialContext { Environment = ExecutablesAllowed });

        Assert.Equal(CredentialSourceKind.Executable, configuration.CredentialSource.Kind);
        Assert.Equal("/usr/local/bin/mint-token --audience conformance", configuration.CredentialSource.ExecutableCommand);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), configuration.CredentialSource.ExecutableTimeout);
        Assert.Equal("/tmp/conformance-token-cache.json", configuration.CredentialSource.ExecutableOutputFile);
        Assert.IsType<ExecutableSubjectTokenSource>(credential.SubjectTokenSource);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_TokenLifetime_IsRead()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        var configuration = await LoadAsync("lifetime");

        Assert.Equal(TimeSpan.FromSeconds(7200), configuration.TokenLifetime);
        Assert.Null((await LoadAsync("oidc-file-impersonated")).TokenLifetime);
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task LoadFileAsync_WorkforcePools_ReadUserProject()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);

        foreach (var form in new[] { "workforce-file", "workforce-executable" })
        {
            var configuration = await LoadAsync(form);
            using var credential = GoogleFederatedCredential.FromConfiguration(configuration, context: new CredentialContext { Environment = ExecutablesAllowed });

            Assert.Equal("conformance-project", configuration.WorkforcePoolUserProject);
            Assert.Equal(new Uri("https://sts.googleapis.com/v1/introspect"), configuration.TokenInfoUrl);
            Assert.Null(credential.ServiceAccountEmail);
        }
    }

    [ConformanceFact(ConformanceTool.Gcloud)]
    public async Task FromConfiguration_ExecutableWithoutOptIn_NamesTheVariable()
    {
        ConformanceTools.Require(ConformanceTool.Gcloud);
        var configuration = await LoadAsync("executable");

        var error = Assert.Throws<CredentialConfigurationException>(() =>
            GoogleFederatedCredential.FromConfiguration(configuration, context: new CredentialContext { Environment = ScopedEnvironment.Empty }));

        Assert.Contains(ExecutableSubjectTokenSource.AllowExecutablesVariable, error.Message);
    }

    private async Task<ExternalAccountConfiguration> LoadAsync(string form) =>
        await ExternalAccountConfiguration.LoadFileAsync(await configurations.PathOfAsync(form));

    private async Task<GoogleFederatedCredential> BuildAsync(string form) =>
        GoogleFederatedCredential.FromConfiguration(await LoadAsync(form), context: new CredentialContext { Environment = ExecutablesAllowed });
}
