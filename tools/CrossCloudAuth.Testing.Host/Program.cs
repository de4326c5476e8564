// Runs the CrossCloudAuth cloud emulator as a standalone process, so clients in any language (the AWS CLI,
// Google's Node.js auth library, botocore...) can be pointed at it. Prints the endpoints, the environment
// variables and the files a client needs, writes them as JSON, and runs until Ctrl+C, until stdin closes,
// or for --duration.
//
//   dotnet run --project tools/CrossCloudAuth.Testing.Host -- [--duration 00:05:00|300] [--out DIR]
//                                                              [--port-base N] [--ignore-stdin]
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing;

var options = HostOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: CrossCloudAuth.Testing.Host [--duration SECONDS|hh:mm:ss] [--out DIR] [--port-base N] [--ignore-stdin]");
    return 2;
}

var topology = new DemoTopology();
await using CloudEmulator cloud = await CloudEmulator.StartAsync(b =>
{
    topology.Configure(b);
    if (options.PortBase is { } portBase)
    {
        foreach (EmulatedService service in Enum.GetValues<EmulatedService>())
        {
            b.UsePort(service, portBase + (int)service);
        }
    }
});

string outDir = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "crosscloudauth-emulator-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
Directory.CreateDirectory(outDir);

// A projected service-account token, as the kubelet writes it (24 h, like EKS), and the files users deploy.
string tokenFile = Path.Combine(outDir, "serviceaccount", "token");
await topology.Issuer.WriteServiceAccountTokenFileAsync(tokenFile, DemoTopology.PodNamespace, DemoTopology.PodServiceAccount, lifetime: TimeSpan.FromHours(24));
string oidcConfig = Write("gcp-credentials-oidc.json", cloud.CreateCredentialConfiguration(topology.OidcProvider, DemoTopology.ServiceAccount, tokenFile));
string awsConfig = Write("gcp-credentials-aws.json", cloud.CreateCredentialConfiguration(topology.AwsProvider, DemoTopology.ServiceAccount));
string awsProfiles = Write("aws-config", $"""
    [profile ci-env]
    role_arn = {DemoTopology.CiRoleArn}
    web_identity_token_file = {tokenFile}
    endpoint_url = {cloud.AwsStsEndpoint.AbsoluteUri.TrimEnd('/')}
    region = us-east-1

    [profile target-env]
    role_arn = {DemoTopology.TargetRoleArn}
    source_profile = ci-env
    role_session_name = xactarget
    endpoint_url = {cloud.AwsStsEndpoint.AbsoluteUri.TrimEnd('/')}
    region = us-east-1

    """);

var environment = new SortedDictionary<string, string>(StringComparer.Ordinal)
{
    ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = cloud.InstanceMetadataEndpoint.AbsoluteUri,
    ["AWS_ENDPOINT_URL_STS"] = cloud.AwsStsEndpoint.AbsoluteUri.TrimEnd('/'),
    ["AWS_REGION"] = "us-east-1",
    ["AWS_ROLE_ARN"] = DemoTopology.CiRoleArn,
    ["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile,
    ["AWS_ROLE_SESSION_NAME"] = "emulator-pod",
    ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = cloud.ContainerCredentialsUri.AbsoluteUri,
    ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "emulator-pod-identity-token",
    ["AWS_CONFIG_FILE"] = awsProfiles,
    ["GOOGLE_APPLICATION_CREDENTIALS"] = oidcConfig,
    ["STORAGE_EMULATOR_HOST"] = cloud.StorageEndpoint.AbsoluteUri.TrimEnd('/'),
};

var endpoints = new JsonObject();
foreach (EmulatedService service in Enum.GetValues<EmulatedService>())
{
    endpoints[service.ToString()] = cloud.GetEndpoint(service).AbsoluteUri;
}

var description = new JsonObject
{
    ["endpoints"] = endpoints,
    ["googleStsTokenUrl"] = cloud.GoogleStsTokenUri.AbsoluteUri,
    ["googleCertsUrl"] = cloud.GoogleCertsUri.AbsoluteUri,
    ["oidcIssuer"] = topology.Issuer.Issuer,
    ["environment"] = new JsonObject([.. environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))]),
    ["files"] = new JsonObject
    {
        ["projectedToken"] = tokenFile,
        ["googleCredentialsOidc"] = oidcConfig,
        ["googleCredentialsAws"] = awsConfig,
        ["awsConfig"] = awsProfiles,
    },
    ["identities"] = new JsonObject
    {
        ["ciRoleArn"] = DemoTopology.CiRoleArn,
        ["targetRoleArn"] = DemoTopology.TargetRoleArn,
        ["serviceAccount"] = DemoTopology.ServiceAccount,
        ["oidcAudience"] = topology.OidcProvider.Audience,
        ["awsAudience"] = topology.AwsProvider.Audience,
        ["targetAudience"] = topology.TargetProvider.Audience,
        ["bucket"] = DemoTopology.Bucket,
        ["bigQueryQuery"] = "SELECT * FROM mydataset.users ORDER BY id",
        ["bigQueryProject"] = "demo-project",
    },
};
string descriptionFile = Write("emulator.json", description.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

var output = new StringBuilder();
output.AppendLine("CrossCloudAuth cloud emulator (verifying; loopback only)");
output.AppendLine();
output.AppendLine("Endpoints:");
foreach (EmulatedService service in Enum.GetValues<EmulatedService>())
{
    output.AppendLine(CultureInfo.InvariantCulture, $"  {service,-22} {cloud.GetEndpoint(service)}");
}

output.AppendLine(CultureInfo.InvariantCulture, $"  {"OIDC issuer",-22} {topology.Issuer.Issuer}");
output.AppendLine(CultureInfo.InvariantCulture, $"  {"Google STS token URL",-22} {cloud.GoogleStsTokenUri}");
output.AppendLine();
output.AppendLine("Environment for a client (POSIX shell):");
foreach ((string name, string value) in environment)
{
    output.AppendLine(CultureInfo.InvariantCulture, $"  export {name}='{value}'");
}

output.AppendLine();
output.AppendLine("Google external_account credential configuration (file-sourced OIDC subject):");
output.AppendLine(File.ReadAllText(oidcConfig));
output.AppendLine();
output.AppendLine(CultureInfo.InvariantCulture, $"AWS (aws1) form: {awsConfig}");
output.AppendLine(CultureInfo.InvariantCulture, $"Everything above as JSON: {descriptionFile}");
output.AppendLine();
output.AppendLine("Try: aws --profile target-env sts get-caller-identity   (with AWS_CONFIG_FILE exported)");
Console.Out.Write(output.ToString());
Console.Out.WriteLine(options.Duration is { } d ? $"READY {descriptionFile} (stopping after {d})" : $"READY {descriptionFile} (Ctrl+C or close stdin to stop)");
Console.Out.Flush();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
if (options.Duration is { } duration)
{
    stop.CancelAfter(duration);
}

if (!options.IgnoreStdin)
{
    _ = Task.Run(async () =>
    {
        // Returns when stdin reaches end of file: the parent process closed it or went away.
        while (await Console.In.ReadLineAsync(stop.Token) is not null)
        {
        }

        stop.Cancel();
    });
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.Out.WriteLine("Emulator stopped.");
return 0;

string Write(string name, string content)
{
    string path = Path.Combine(outDir, name);
    File.WriteAllText(path, content);
    return path;
}

internal sealed record HostOptions(TimeSpan? Duration, string? OutputDirectory, int? PortBase, bool IgnoreStdin)
{
    public static HostOptions? Parse(string[] args)
    {
        TimeSpan? duration = null;
        string? output = null;
        int? portBase = null;
        bool ignoreStdin = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--duration":
                    string? text = Next();
                    if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                    {
                        duration = TimeSpan.FromSeconds(seconds);
                    }
                    else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span))
                    {
                        duration = span;
                    }
                    else
                    {
                        return null;
                    }

                    break;
                case "--out":
                    output = Next();
                    if (output is null)
                    {
                        return null;
                    }

                    break;
                case "--port-base":
                    if (!int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p < 1024 || p > 65000)
                    {
                        return null;
                    }

                    portBase = p;
                    break;
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                default:
                    return null;
            }
        }

        return new HostOptions(duration, output, portBase, ignoreStdin);
    }
}
