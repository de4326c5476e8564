using System.CommandLine;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Cli.Commands;

/// <summary><c>crosscloud eks-token</c>: an <c>ExecCredential</c> with a <c>k8s-aws-v1.</c> token for the <c>exec</c>
/// section of a kubeconfig (like <c>aws eks get-token</c>), in the API version kubectl asks for.</summary>
internal static class EksTokenCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="host">The host.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliHost host)
    {
        var cluster = new Option<string>("--cluster", "--cluster-name") { Description = "The EKS cluster's name.", Required = true };
        var roleArn = new Option<string[]>("--role-arn") { Description = "A role to assume before signing; repeat for a chain (seed 001: the target account's role)." };
        var profile = new Option<string?>("--profile") { Description = "The AWS profile whose credentials sign (default: the default chain: environment, AWS_PROFILE, web identity, container, instance metadata)." };
        var region = new Option<string?>("--region") { Description = "The region of the STS endpoint the token is presigned for (default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1)." };
        var command = new Command("eks-token", "Print a Kubernetes ExecCredential with an EKS bearer token; honours KUBERNETES_EXEC_INFO (client.authentication.k8s.io/v1 and v1beta1).")
        {
            cluster,
            roleArn,
            profile,
            region,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Negotiate first: a kubeconfig asking for a version we do not speak fails before any credential is fetched.
            string apiVersion = ExecCredential.NegotiateApiVersion(host.Environment.GetEnvironmentVariable(ExecCredential.ExecInfoVariable));

            // Every EKS token is a SigV4 presignature: load the cryptography library while the chain's hops run.
            Plumbing.PreloadCryptography();
            using HttpClient http = Plumbing.CreateHttpClient(host);
            using AwsCredentialChain chain = Plumbing.AwsChain(host, http, parse.GetValue(profile), parse.GetValue(roleArn) ?? []);
            AuthToken token = await Plumbing.EksTokens(host, chain, parse.GetValue(cluster)!, parse.GetValue(region)).GetAsync(cancellationToken).ConfigureAwait(false);
            await host.Output.WriteLineAsync(new ExecCredential(token, apiVersion).ToJson()).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
