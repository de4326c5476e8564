using CrossCloudAuth.DependencyInjection;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Tests.Google;
using CrossCloudAuth.Tests.Google.Fixtures;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.DependencyInjection;

/// <summary>
/// What a pod with a gcloud-generated configuration sees, faked: GOOGLE_APPLICATION_CREDENTIALS pointing at the
/// file-sourced configuration of seed 000 (projected token → STS → impersonation), the projected token, Google STS
/// and IAM Credentials in-process, and a fixed clock. Registered through the container, never the process.
/// </summary>
internal sealed class DiTestWorld
{
    public const string ConfigPath = "/etc/gcp/credential-configuration.json";
    public const string TokenPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    public const string ProjectedToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpteS1rc2EifQ.c2ln";
    public const string AccessToken = "ya29.impersonated-ACCESS";

    /// <summary>The generateAccessToken URL built from a ServiceAccountEmail option (the email escaped).</summary>
    public const string EscapedImpersonationUrl = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa01%40my-project.iam.gserviceaccount.com:generateAccessToken";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public FakeSystemEnvironment Environment { get; } = new FakeSystemEnvironment()
        .Set("GOOGLE_APPLICATION_CREDENTIALS", ConfigPath)
        .WithFile(ConfigPath, FixtureFiles.Read("eks-irsa-file.json"))
        .WithFile(TokenPath, ProjectedToken);

    public FakeGoogleEndpoints Google { get; } = new FakeGoogleEndpoints()
        .OnSts(_ => FakeGoogleEndpoints.StsToken("federated-TOKEN"))
        .OnGenerateAccessToken(_ => FakeGoogleEndpoints.IamToken(AccessToken, "2026-11-23T13:00:00Z"))
        .On(HttpMethod.Post, EscapedImpersonationUrl, _ => FakeGoogleEndpoints.IamToken(AccessToken, "2026-11-23T13:00:00Z"))
        .OnGenerateIdToken(_ => FakeGoogleEndpoints.Json("""{"token":"eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTU0Mzg4MDAsImF1ZCI6Imh0dHBzOi8vcnVuLmV4YW1wbGUifQ.c2ln"}"""));

    /// <summary>Registers the fakes the way an application would register its own clock and environment.</summary>
    public IServiceCollection Register(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<ISystemEnvironment>(Environment);
        services.ConfigureAll<GoogleFromAwsIdentityOptions>(o => o.HttpClient ??= new HttpClient(Google, disposeHandler: false));
        return services;
    }

    public ServiceProvider BuildProvider(Action<IServiceCollection> add)
    {
        ServiceCollection services = new();
        Register(services);
        add(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
