// Runs a BigQuery query over the REST API (jobs.query, then jobs.getQueryResults until the job completes), with
// the workload's federated identity added by CrossCloudAuth's GoogleBearerTokenHandler.
//
//   dotnet run --project samples/BigQueryClient                                   the emulator's EC2 instance (flow F2)
//   dotnet run --project samples/BigQueryClient -- --real PROJECT "SELECT ..."    GOOGLE_APPLICATION_CREDENTIALS (any external_account file)
using System.Net.Http.Json;
using System.Text.Json;
using CrossCloudAuth;
using CrossCloudAuth.Google;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;

bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
string[] positional = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];

EmulatedWorld? world = real ? null : await EmulatedWorld.StartAsync();
try
{
    ISystemEnvironment environment = world is null ? SystemEnvironment.Instance : world.Ec2Instance;
    Uri endpoint = world?.Cloud.BigQueryEndpoint ?? new Uri("https://bigquery.googleapis.com/");
    string project = positional.ElementAtOrDefault(0) ?? (real ? throw new ArgumentException("Usage: BigQueryClient --real PROJECT \"SQL\"") : World.ProjectId);
    string sql = positional.ElementAtOrDefault(1) ?? "SELECT * FROM mydataset.users ORDER BY id";

    using GoogleFederatedCredential credential = await GoogleFederatedCredential.FromEnvironmentAsync(o =>
    {
        o.Scopes = ["https://www.googleapis.com/auth/bigquery.readonly"];
        o.AllowNonStandardEndpoints = !real;
    }, new CredentialContext { Environment = environment });
    using var bigQuery = new HttpClient(new GoogleBearerTokenHandler(credential, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = !real })
    {
        InnerHandler = new SocketsHttpHandler(),
    })
    { BaseAddress = endpoint };

    using HttpResponseMessage response = await bigQuery.PostAsJsonAsync(
        $"bigquery/v2/projects/{Uri.EscapeDataString(project)}/queries",
        new Dictionary<string, object> { ["query"] = sql, ["useLegacySql"] = false, ["timeoutMs"] = 10000 });
    string body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"BigQuery answered {(int)response.StatusCode}: {body}");
        return 1;
    }

    JsonDocument result = JsonDocument.Parse(body);
    while (!result.RootElement.GetProperty("jobComplete").GetBoolean())
    {
        string job = result.RootElement.GetProperty("jobReference").GetProperty("jobId").GetString()!;
        string location = result.RootElement.GetProperty("jobReference").TryGetProperty("location", out JsonElement l) ? l.GetString()! : string.Empty;
        result.Dispose();
        result = JsonDocument.Parse(await bigQuery.GetStringAsync($"bigquery/v2/projects/{Uri.EscapeDataString(project)}/queries/{job}?timeoutMs=10000&location={location}"));
    }

    using (result)
    {
        string[] columns = [.. result.RootElement.GetProperty("schema").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];
        foreach (JsonElement row in result.RootElement.TryGetProperty("rows", out JsonElement rows) ? rows.EnumerateArray() : default)
        {
            JsonElement[] cells = [.. row.GetProperty("f").EnumerateArray()];
            Console.WriteLine(JsonSerializer.Serialize(columns.Select((c, i) => (c, v: cells[i].GetProperty("v"))).ToDictionary(x => x.c, x => x.v.ValueKind == JsonValueKind.Null ? null : x.v.GetString())));
        }
    }

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
