// Prints a Kubernetes ExecCredential (client.authentication.k8s.io/v1 or v1beta1, as kubectl asks in KUBERNETES_EXEC_INFO) with a k8s-aws-v1. token for an EKS cluster, for the
// exec section of a kubeconfig (what `aws eks get-token` prints). Only the JSON goes to stdout.
//
//   dotnet run --project samples/EksExecCredential                                     the emulator's target cluster, via seed 001's target-env profile
//   dotnet run --project samples/EksExecCredential -- --real --cluster NAME [--profile target-env] [--region us-east-1]
//
// The installed `crosscloud eks-token` does the same as a Native AOT tool (docs/cli.md); this sample shows the code.
// kubeconfig:
//   users:
//   - name: target-cluster
//     user:
//       exec:
//         apiVersion: client.authentication.k8s.io/v1
//         command: dotnet
//         args: [run, --project, /path/to/samples/EksExecCredential, --, --real, --cluster, target-cluster, --profile, target-env]
//         interactiveMode: Never
using CrossCloudAuth;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;

bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

EmulatedWorld? world = real ? null : await EmulatedWorld.StartAsync();
try
{
    ISystemEnvironment environment = world is null ? SystemEnvironment.Instance : world.EksPod;
    string? cluster = Option("--cluster") ?? (real ? null : World.TargetCluster);
    if (cluster is null)
    {
        Console.Error.WriteLine("Usage: EksExecCredential --real --cluster NAME [--profile NAME] [--region REGION]");
        return 2;
    }

    string region = Option("--region") ?? environment.GetEnvironmentVariable("AWS_REGION") ?? environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
    string? profile = Option("--profile") ?? (real ? null : "target-env");

    // Whose identity signs: a profile (a role chain), or the pod's web identity; every hop cached.
    CredentialContext context = new() { Environment = environment };
    using AwsCredentialChain signer = profile is not null
        ? AwsCredentialChain.FromProfile(profile, context: context)
        : AwsCredentialChain.FromWebIdentity(context: context);
    RefreshAheadCache<AuthToken> provider = signer.EksToken(cluster, o =>
    {
        o.Region = region;
        o.StsEndpoint = world?.Cloud.AwsStsEndpoint;
    });

    AuthToken token = await provider.GetAsync();
    // The version kubectl asked for in KUBERNETES_EXEC_INFO (v1 or v1beta1), RFC 3339 expiry; the token only on stdout.
    Console.WriteLine(ExecCredential.ForRequest(token, context).ToJson());
    return 0;
}
catch (CrossCloudAuthException e)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    if (world is not null)
    {
        await world.DisposeAsync();
    }
}
