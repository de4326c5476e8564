using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Google.Configuration;

/// <summary>
/// A gcloud-written <c>aws1</c> configuration on an ECS task and on an EKS pod with Pod Identity, against the
/// emulator end to end: container credentials → <c>aws4_request</c> subject signed with them → Google STS, which
/// replays the signed <c>GetCallerIdentity</c> against the emulated AWS STS → IAM Credentials, which admits only the
/// workload's role (<c>attribute.aws_role</c>). Google's own libraries stop at environment variables and instance
/// metadata; these workloads have neither.
/// </summary>
public sealed class Aws1DefaultChainEmulatorTests
{
    private const string Account = "111122223333";
    private const string ProjectNumber = "123456789012";
    private const string ServiceAccount = "reader@demo-project.iam.gserviceaccount.com";
    private const string PodIdentityTokenFile = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token";
    private const string EcsRelativeUri = "/v2/credentials/0f1d5c7a-task";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task FromConfiguration_EcsTaskRoleWithUseDefaultAwsCredentialChain_GoogleSeesTheTaskRole()
    {
        // Arrange: an ECS task (relative URI on 169.254.170.2, reached here through the emulator) and AWS_REGION.
        (CloudEmulator cloud, string json) = await StartAsync("ecs-task-role", c => c.UseRelativeUri(EcsRelativeUri));
        await using CloudEmulator _ = cloud;
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", EcsRelativeUri)
            .Set("AWS_REGION", "ap-northeast-1");
        using HttpClient http = new(new EcsHostToEmulator(cloud.GetEndpoint(EmulatedService.ContainerCredentials)));

        // Act
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(ExternalAccountConfiguration.Parse(json), o =>
        {
            Plumb(o, environment, http);
            o.UseDefaultAwsCredentialChain = true;
        });
        AuthToken token = await credential.GetAsync(Timeout());

        // Assert: IAM Credentials issued the token only because the federated principal is the task role.
        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Single(cloud.Requests.For(EmulatedService.ContainerCredentials));
        Assert.Empty(cloud.Requests.For(EmulatedService.InstanceMetadata));
        Assert.Single(cloud.Requests.For(EmulatedService.IamCredentials), r => r.StatusCode == System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task FromConfiguration_EksPodIdentityWithDefaultAwsCredentialChainInCode_GoogleSeesThePodRole()
    {
        (CloudEmulator cloud, string json) = await StartAsync("pod-role", c => c.RequireAuthorizationToken("pod-identity-token"));
        await using CloudEmulator _ = cloud;
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", cloud.ContainerCredentialsUri.AbsoluteUri)
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", PodIdentityTokenFile)
            .Set("AWS_REGION", "eu-west-1")
            .WithFile(PodIdentityTokenFile, "pod-identity-token");
        using HttpClient http = new();
        using DefaultAwsCredentialChain aws = new(null, environment: environment, timeProvider: _clock);

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(ExternalAccountConfiguration.Parse(json), o =>
        {
            Plumb(o, environment, http);
            o.AwsCredentials = aws;
        });
        AuthToken token = await credential.GetAsync(Timeout());

        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.StartsWith("aws-container", aws.HopName, StringComparison.Ordinal);
        Assert.Empty(cloud.Requests.For(EmulatedService.InstanceMetadata));
        Assert.Single(cloud.Requests.For(EmulatedService.IamCredentials), r => r.StatusCode == System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task FromConfiguration_PodIdentityWithoutOptingIn_KeepsGoogleBehaviourAndAsksInstanceMetadata()
    {
        (CloudEmulator cloud, string json) = await StartAsync("pod-role", c => c.RequireAuthorizationToken("pod-identity-token"));
        await using CloudEmulator _ = cloud;
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", cloud.ContainerCredentialsUri.AbsoluteUri)
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", PodIdentityTokenFile)
            .Set("AWS_REGION", "eu-west-1")
            .WithFile(PodIdentityTokenFile, "pod-identity-token");
        using HttpClient http = new();

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(ExternalAccountConfiguration.Parse(json), o => Plumb(o, environment, http));
        CrossCloudAuthException error = await Assert.ThrowsAnyAsync<CrossCloudAuthException>(async () => await credential.GetAsync(Timeout()));

        Assert.StartsWith("aws-imds", error.HopName, StringComparison.Ordinal);
        Assert.Empty(cloud.Requests.For(EmulatedService.ContainerCredentials));
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private void Plumb(GoogleFederatedCredentialOptions options, FakeSystemEnvironment environment, HttpClient http)
    {
        options.AllowNonStandardEndpoints = true; // the emulator is http on loopback
        options.Environment = environment;
        options.TimeProvider = _clock;
        options.HttpClient = http;
    }

    /// <summary>One AWS account whose container endpoint serves <paramref name="roleName"/>, a pool whose AWS provider
    /// trusts the account, and a service account that only that role (<c>attribute.aws_role</c>) may impersonate.
    /// No instance metadata role: the workload is not an EC2 instance.</summary>
    private async Task<(CloudEmulator Cloud, string Json)> StartAsync(string roleName, Action<Testing.Aws.ContainerCredentialsBuilder> container)
    {
        WorkloadIdentityProviderBuilder? provider = null;
        CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
        {
            b.UseTimeProvider(_clock);
            b.AddAwsAccount(Account).AddRole(roleName, t => t.AllowPrincipal("ecs-tasks.amazonaws.com"));
            b.ConfigureContainerCredentials(c => container(c.UseRole(Account, roleName)));
            WorkloadIdentityPoolBuilder pool = b.AddWorkloadIdentityPool(ProjectNumber, "aws-test");
            provider = pool.AddAwsProvider("aws", Account);
            b.AddServiceAccount(ServiceAccount)
                .GrantWorkloadIdentityUser(pool.PrincipalSet("aws_role", $"arn:aws:sts::{Account}:assumed-role/{roleName}"));
        });
        return (cloud, cloud.CreateCredentialConfiguration(provider!, ServiceAccount));
    }

    /// <summary>Sends what an ECS task sends to 169.254.170.2 to the emulator's container endpoint instead.</summary>
    private sealed class EcsHostToEmulator(Uri emulator) : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { Host: "169.254.170.2" } ecs)
            {
                request.RequestUri = new UriBuilder(ecs) { Host = emulator.Host, Port = emulator.Port }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
