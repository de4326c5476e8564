using System.Text;
using System.Text.Json;
using Amazon.SecurityToken.Model;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Caching;
using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;
using Microsoft.Extensions.Logging;

namespace CrossCloudAuth.Samples.Quickstart;

/// <summary>A flow of the design: its id, what it shows, and the code that runs it through the library's public API.</summary>
/// <param name="Id">F1 … F5.</param>
/// <param name="Title">What runs it and through which hops.</param>
/// <param name="Seed">The source document it follows.</param>
/// <param name="RunAsync">Runs the flow; returns result lines, or <see langword="null"/> when the settings do not allow it (skipped).</param>
/// <param name="SkipReason">Why it is skipped when <paramref name="RunAsync"/> returns <see langword="null"/>.</param>
public sealed record Flow(string Id, string Title, string Seed, Func<FlowContext, Task<IReadOnlyList<string>?>> RunAsync, string SkipReason);

/// <summary>Flows F1–F5, written the way an application would write them.</summary>
public static class Flows
{
    private const string StorageReadOnly = "https://www.googleapis.com/auth/devstorage.read_only";
    private const string BigQueryScope = "https://www.googleapis.com/auth/bigquery";

    /// <summary>Gets every flow, in order.</summary>
    public static IReadOnlyList<Flow> All { get; } =
    [
        new("F1", "EKS pod with IRSA: projected token file → Google STS (OIDC provider) → impersonation → Cloud Storage", "seed 000", F1Async,
            "needs GOOGLE_APPLICATION_CREDENTIALS with a file/url-sourced configuration and CROSSCLOUDAUTH_GCS_BUCKET"),
        new("F2", "EC2 instance: IMDSv2 → SigV4 aws4_request subject → Google STS (AWS provider) → impersonation → BigQuery", "seeds 003, 000", F2Async,
            "needs GOOGLE_APPLICATION_CREDENTIALS with an aws1 configuration and CROSSCLOUDAUTH_BIGQUERY_PROJECT"),
        new("F3", "EKS pod in a CI account: projected token → AssumeRoleWithWebIdentity → AssumeRole (target account) → AWS SDK + EKS token", "seed 001", F3Async,
            "needs CROSSCLOUDAUTH_AWS_PROFILE (a profile whose role_arn chains, like seed 001's target-env)"),
        new("F4", "Kubernetes pod, webhook-injected env: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE → AssumeRoleWithWebIdentity → AWS SDK", "seed 002", F4Async,
            "needs AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE"),
        new("F5", "Role chain signs the aws4_request subject: Google sees the target account's role (attribute.aws_role) → Cloud Storage", "seeds 001 + 003", F5Async,
            "needs CROSSCLOUDAUTH_AWS_PROFILE, CROSSCLOUDAUTH_F5_CREDENTIALS (aws1 configuration of the target account's provider) and CROSSCLOUDAUTH_F5_BUCKET"),
    ];

    /// <summary>F1: the pod's <c>GOOGLE_APPLICATION_CREDENTIALS</c> names gcloud's file-sourced configuration; list and read a bucket.</summary>
    /// <param name="c">The context.</param>
    /// <returns>Result lines, or <see langword="null"/> when skipped.</returns>
    public static async Task<IReadOnlyList<string>?> F1Async(FlowContext c)
    {
        QuickstartSettings s = c.Settings;
        if (s.F1Environment is not { } env || s.F1Bucket is not { } bucket || await ConfigurationKindAsync(env, c.CancellationToken) is CredentialSourceKind.Aws or null)
        {
            return null;
        }

        GoogleFederatedCredential credential = c.Own(await GoogleFederatedCredential.FromEnvironmentAsync(o =>
        {
            o.Scopes = [StorageReadOnly];
            o.AllowNonStandardEndpoints = s.AllowNonStandardEndpoints;
        }, c.Context(env), c.CancellationToken));

        HttpClient storage = c.GoogleApi(credential, s.StorageEndpoint);
        List<(string Name, string Size)> objects = await ListObjectsAsync(storage, bucket, c.CancellationToken);
        List<string> lines = [$"gs://{bucket}: {string.Join(", ", objects.Select(o => $"{o.Name} ({o.Size} B)"))}"];
        if (objects.Count > 0)
        {
            string content = await storage.GetStringAsync($"storage/v1/b/{bucket}/o/{Uri.EscapeDataString(objects[0].Name)}?alt=media", c.CancellationToken);
            lines.Add($"gs://{bucket}/{objects[0].Name}: \"{Shorten(content)}\"");
        }

        return lines;
    }

    /// <summary>F2: the instance's <c>GOOGLE_APPLICATION_CREDENTIALS</c> names gcloud's <c>aws1</c> configuration; run a BigQuery query.</summary>
    /// <param name="c">The context.</param>
    /// <returns>Result lines, or <see langword="null"/> when skipped.</returns>
    public static async Task<IReadOnlyList<string>?> F2Async(FlowContext c)
    {
        QuickstartSettings s = c.Settings;
        if (s.F2Environment is not { } env || s.F2Project is not { } project || await ConfigurationKindAsync(env, c.CancellationToken) is not CredentialSourceKind.Aws)
        {
            return null;
        }

        // Context, not timed: who is this instance on AWS? (The same IMDSv2 credentials, through the AWS SDK.)
        await IdentityCheckAsync(c, env);
        c.StartClock();

        GoogleFederatedCredential credential = c.Own(await GoogleFederatedCredential.FromEnvironmentAsync(o =>
        {
            o.Scopes = [BigQueryScope];
            o.AllowNonStandardEndpoints = s.AllowNonStandardEndpoints;
        }, c.Context(env), c.CancellationToken));

        HttpClient bigQuery = c.GoogleApi(credential, s.BigQueryEndpoint);
        return await QueryAsync(bigQuery, project, s.F2Query, c.CancellationToken);
    }

    /// <summary>F3: seed 001's <c>target-env</c> profile (web identity, then a cross-account role) for AWS SDK clients and the target cluster's EKS token.</summary>
    /// <param name="c">The context.</param>
    /// <returns>Result lines, or <see langword="null"/> when skipped.</returns>
    public static async Task<IReadOnlyList<string>?> F3Async(FlowContext c)
    {
        QuickstartSettings s = c.Settings;
        if (s.F3Environment is not { } env)
        {
            return null;
        }

        // seed 001's profile, exactly as in ~/.aws/config: every hop (web identity, then the cross-account role) cached.
        AwsCredentialChain targetRole = c.Own(AwsCredentialChain.FromProfile(s.AwsProfile, context: c.Context(env)));

        // AWS SDK clients in the target account.
        GetCallerIdentityResponse me = await c.AwsSts(targetRole.SdkCredentials).GetCallerIdentityAsync(new GetCallerIdentityRequest(), c.CancellationToken);
        List<string> lines = [$"AWS SDK (AmazonSecurityTokenServiceClient over CachedAwsCredentials) acts as {me.Arn}"];

        CredentialCacheStatus status = targetRole.GetStatus();
        lines.Add($"role chain cache: {status.State}, refresh ahead at {Time(status.RefreshAt)}, usable until {Time(status.UsableUntil)}");

        if (s.EksCluster is { } cluster)
        {
            RefreshAheadCache<AuthToken> eks = targetRole.EksToken(cluster, o =>
            {
                o.Region = s.Region;
                o.StsEndpoint = s.AwsStsEndpoint;
            });
            AuthToken token = await eks.GetAsync(c.CancellationToken);
            lines.Add($"EKS bearer token for cluster '{cluster}': k8s-aws-v1.… ({token.Token.Length} chars), expires {Time(token.ExpiresOn)}");

            // What the cluster's authenticator does with it: replay the presigned GetCallerIdentity.
            string arn = await ReplayEksTokenAsync(c, token.Token, cluster);
            lines.Add($"the cluster's authenticator replays it and sees {arn}");
        }

        return lines;
    }

    /// <summary>F4: a pod with webhook-injected <c>AWS_ROLE_ARN</c> / <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> uses AWS SDK clients.</summary>
    /// <param name="c">The context.</param>
    /// <returns>Result lines, or <see langword="null"/> when skipped.</returns>
    public static async Task<IReadOnlyList<string>?> F4Async(FlowContext c)
    {
        QuickstartSettings s = c.Settings;
        if (s.F4Environment is not { } env || env.GetEnvironmentVariable("AWS_ROLE_ARN") is null)
        {
            return null;
        }

        AwsCredentialChain podRole = c.Own(AwsCredentialChain.FromWebIdentity(context: c.Context(env)));
        GetCallerIdentityResponse me = await c.AwsSts(podRole.SdkCredentials).GetCallerIdentityAsync(new GetCallerIdentityRequest(), c.CancellationToken);
        CredentialCacheStatus status = podRole.GetStatus();
        return
        [
            $"AWS SDK (AmazonSecurityTokenServiceClient over CachedAwsCredentials) acts as {me.Arn}",
            $"web identity cache: {status.State}, refresh ahead at {Time(status.RefreshAt)}, usable until {Time(status.UsableUntil)} (the token file is re-read on each refresh)",
        ];
    }

    /// <summary>F5: the role chain of F3 signs the <c>aws4_request</c> subject, so Google sees the target account's role.</summary>
    /// <param name="c">The context.</param>
    /// <returns>Result lines, or <see langword="null"/> when skipped.</returns>
    public static async Task<IReadOnlyList<string>?> F5Async(FlowContext c)
    {
        QuickstartSettings s = c.Settings;
        if (s.F3Environment is not { } env || s.F5CredentialFile is not { } file || s.F5Bucket is not { } bucket)
        {
            return null;
        }

        AwsCredentialChain targetRole = c.Own(AwsCredentialChain.FromProfile(s.AwsProfile, context: c.Context(env)));

        // gcloud's aws1 configuration for the target account's provider gives the audience and endpoints;
        // the subject is signed by the role chain instead of the instance's metadata credentials.
        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFileAsync(file, env, c.CancellationToken);
        GoogleFederatedCredential credential = targetRole.GoogleCredentialFromConfiguration(configuration, o =>
        {
            o.Scopes = [StorageReadOnly];
            o.AllowNonStandardEndpoints = s.AllowNonStandardEndpoints;
        });

        HttpClient storage = c.GoogleApi(credential, s.StorageEndpoint);
        List<(string Name, string Size)> objects = await ListObjectsAsync(storage, bucket, c.CancellationToken);
        return [$"gs://{bucket}: {string.Join(", ", objects.Select(o => $"{o.Name} ({o.Size} B)"))}"];
    }

    private static async Task<CredentialSourceKind?> ConfigurationKindAsync(ISystemEnvironment env, CancellationToken cancellationToken)
    {
        if (env.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS") is null)
        {
            return null;
        }

        ExternalAccountConfiguration configuration = await ExternalAccountConfiguration.LoadFromEnvironmentAsync(env, cancellationToken);
        return configuration.CredentialSource.Kind;
    }

    private static async Task IdentityCheckAsync(FlowContext c, ISystemEnvironment env)
    {
        CredentialContext context = c.Context(env);
        var metadata = new Ec2InstanceMetadataCredentialSource(new Ec2InstanceMetadataCredentialSourceOptions { Endpoint = c.Settings.InstanceMetadataEndpoint }, context);
        AwsCredentialChain instance = c.Own(AwsCredentialChain.From(metadata, context));
        await c.AwsSts(instance.SdkCredentials).GetCallerIdentityAsync(new GetCallerIdentityRequest(), c.CancellationToken);
    }

    private static async Task<string> ReplayEksTokenAsync(FlowContext c, string token, string cluster)
    {
        string encoded = token["k8s-aws-v1.".Length..].Replace('-', '+').Replace('_', '/');
        string url = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=')));
        if (c.Settings.AwsStsEndpoint is null && !url.StartsWith("https://sts.", StringComparison.Ordinal))
        {
            return "(not replayed: unexpected URL)";
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("x-k8s-aws-id", cluster);
        using HttpResponseMessage response = await c.Http.SendAsync(request, c.CancellationToken);
        string xml = await response.Content.ReadAsStringAsync(c.CancellationToken);
        return response.IsSuccessStatusCode
            ? System.Xml.Linq.XDocument.Parse(xml).Descendants().First(e => e.Name.LocalName == "Arn").Value
            : $"a rejection ({(int)response.StatusCode})";
    }

    private static async Task<List<(string Name, string Size)>> ListObjectsAsync(HttpClient storage, string bucket, CancellationToken cancellationToken)
    {
        string json = await storage.GetStringAsync($"storage/v1/b/{Uri.EscapeDataString(bucket)}/o", cancellationToken);
        using JsonDocument list = JsonDocument.Parse(json);
        return list.RootElement.TryGetProperty("items", out JsonElement items)
            ? [.. items.EnumerateArray().Select(i => (i.GetProperty("name").GetString()!, i.TryGetProperty("size", out JsonElement size) ? size.GetString() ?? "?" : "?"))]
            : [];
    }

    private static async Task<IReadOnlyList<string>> QueryAsync(HttpClient bigQuery, string project, string sql, CancellationToken cancellationToken)
    {
        using var body = new StringContent(JsonSerializer.Serialize(new Dictionary<string, object> { ["query"] = sql, ["useLegacySql"] = false }), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await bigQuery.PostAsync($"bigquery/v2/projects/{Uri.EscapeDataString(project)}/queries", body, cancellationToken);
        string json = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"BigQuery answered {(int)response.StatusCode}: {Shorten(json)}", null, response.StatusCode);
        }

        using JsonDocument result = JsonDocument.Parse(json);
        string[] names = [.. result.RootElement.GetProperty("schema").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
        List<string> lines = [$"bigquery: {sql}"];
        if (result.RootElement.TryGetProperty("rows", out JsonElement rows))
        {
            foreach (JsonElement row in rows.EnumerateArray())
            {
                JsonElement[] cells = [.. row.GetProperty("f").EnumerateArray()];
                lines.Add("  {" + string.Join(",", names.Select((n, i) => $"\"{n}\":{(cells[i].GetProperty("v").ValueKind == JsonValueKind.Null ? "null" : JsonSerializer.Serialize(cells[i].GetProperty("v").GetString()))}")) + "}");
            }
        }

        return lines;
    }

    internal static string Time(DateTimeOffset? instant)
    {
        if (instant is not { } at)
        {
            return "-";
        }

        if (at >= DateTimeOffset.MaxValue.AddDays(-1))
        {
            return "never";
        }

        TimeSpan left = at - TimeProvider.System.GetUtcNow();
        string relative = left < TimeSpan.Zero ? "past" : left.TotalHours >= 1 ? $"in {(int)left.TotalHours}h{left.Minutes:00}m" : $"in {left.Minutes}m{left.Seconds:00}s";
        return $"{at.UtcDateTime:HH:mm:ss}Z ({relative})";
    }

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings("\\n");
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
