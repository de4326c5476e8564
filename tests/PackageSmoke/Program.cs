// The package smoke test: what a new user does with the packages, against the packages themselves.
// Usage: PackageSmoke <feed folder> <version> <private packages folder> <obj/project.assets.json>
// Exit 0 only when every check passed; each failure prints one "package smoke: FAIL ..." line naming what to fix.
using System.Net;
using System.Net.Http.Headers;
using CrossCloudAuth;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Testing;
using CrossCloudAuth.Testing.Aws;
using Microsoft.Extensions.DependencyInjection;
using PackageSmoke;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: PackageSmoke <feed folder> <version> <private packages folder> <obj/project.assets.json>");
    return 2;
}

string feed = Path.GetFullPath(args[0]);
string version = args[1];
string packagesFolder = Path.GetFullPath(args[2]);
string assetsFile = Path.GetFullPath(args[3]);
var report = new Report();

// 1. What is in the packages: files, metadata, dependencies.
PackageChecks.Run(feed, version, report);

// 2. That this app was built from those packages, not from the projects or a cached copy of the same version.
Provenance.Run(feed, version, packagesFolder, assetsFile, report);

// 3. What a user's integration test does: the ready topology of the Testing package, the DI registrations of the core.
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
try
{
    await using DemoTopology demo = await DemoTopology.StartAsync(cancellationToken: deadline.Token);
    await GoogleFromAwsIdentityAsync(demo, report, deadline.Token);
    await AwsCredentialsAsync(demo, report, deadline.Token);
}
catch (Exception e) when (e is CrossCloudAuthException or HttpRequestException or OperationCanceledException or InvalidOperationException)
{
    report.Fail($"flows: {e.GetType().Name}: {e.Message}");
}

return report.Finish();

// F1 through AddGoogleFromAwsIdentity(): the EKS pod's projected token → Google STS → impersonation, and the token it
// yields lists a bucket the impersonated account may read.
static async Task GoogleFromAwsIdentityAsync(DemoTopology demo, Report report, CancellationToken cancellationToken)
{
    var services = new ServiceCollection();
    services.AddSingleton<ISystemEnvironment>(demo.EksPod);
    services.AddGoogleFromAwsIdentity(o => o.AllowNonStandardEndpoints = true);   // the emulator is http on loopback
    await using ServiceProvider provider = services.BuildServiceProvider();

    AuthToken token = await provider.GetRequiredService<ICredentialProvider<AuthToken>>().GetAsync(cancellationToken);
    if (string.IsNullOrEmpty(token.Token))
    {
        report.Fail("AddGoogleFromAwsIdentity(): the access token is empty");
        return;
    }

    bool impersonated = demo.Cloud.Requests.For(EmulatedService.IamCredentials)
        .Any(r => r.Path.Contains(DemoTopology.GcsReader, StringComparison.Ordinal) && r.StatusCode == HttpStatusCode.OK);
    using var http = new HttpClient();
    using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(demo.Cloud.StorageBaseUri, $"b/{DemoTopology.AppBucket}/o"));
    list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    using HttpResponseMessage listed = await http.SendAsync(list, cancellationToken);
    string body = await listed.Content.ReadAsStringAsync(cancellationToken);
    if (!impersonated || listed.StatusCode != HttpStatusCode.OK || !body.Contains("readme.txt", StringComparison.Ordinal))
    {
        report.Fail($"AddGoogleFromAwsIdentity(): impersonated {DemoTopology.GcsReader}: {impersonated}; listing gs://{DemoTopology.AppBucket} answered {(int)listed.StatusCode}");
        return;
    }

    report.Pass($"AddGoogleFromAwsIdentity(): Google access token of {DemoTopology.GcsReader} (expires {token.ExpiresOn:O}); it lists gs://{DemoTopology.AppBucket}");
}

// F4 through AddAwsCredentials(): the injected pod's web identity → AssumeRoleWithWebIdentity; the credentials sign an
// EKS token (AddEksToken) that the emulated cluster maps to the pod's role.
static async Task AwsCredentialsAsync(DemoTopology demo, Report report, CancellationToken cancellationToken)
{
    const string cluster = "smoke-cluster";
    var services = new ServiceCollection();
    services.AddSingleton<ISystemEnvironment>(demo.InjectedPod);
    services.AddAwsCredentials();
    services.AddEksToken(cluster, o => o.StsEndpoint = demo.Cloud.AwsStsEndpoint);
    await using ServiceProvider provider = services.BuildServiceProvider();

    AwsCredentials credentials = await provider.GetRequiredService<ICredentialProvider<AwsCredentials>>().GetAsync(cancellationToken);
    Amazon.Runtime.ImmutableCredentials sdk = await provider.GetRequiredService<Amazon.Runtime.AWSCredentials>().GetCredentialsAsync();
    if (!credentials.IsTemporary || sdk.AccessKey != credentials.AccessKeyId)
    {
        report.Fail($"AddAwsCredentials(): expected the role session's temporary credentials for AWS SDK clients; got {credentials}");
        return;
    }

    report.Pass($"AddAwsCredentials(): AWS credentials of {DemoTopology.PodRoleArn}, the same for AWS SDK clients (expires {credentials.ExpiresOn:O})");

    AuthToken eks = await provider.GetRequiredKeyedService<RefreshAheadCache<AuthToken>>(cluster).GetAsync(cancellationToken);
    EksTokenReview review = await demo.Cloud.VerifyEksTokenAsync(eks.Token, cluster, cancellationToken);
    if (!review.IsAuthenticated || review.CanonicalArn != DemoTopology.PodRoleArn)
    {
        report.Fail($"AddEksToken(): the cluster {review}; expected {DemoTopology.PodRoleArn}");
        return;
    }

    report.Pass($"AddEksToken(): the EKS token is {review}");
}
