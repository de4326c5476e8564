// Lists a Cloud Storage bucket and downloads an object over the JSON REST API, the way an application wires it:
// services.AddGoogleFromAwsIdentity() registers the federated credential, and an IHttpClientFactory client carries
// its token through GoogleBearerTokenHandler.
//
//   dotnet run --project samples/GcsClient                                  the emulator's EKS pod (flow F1)
//   dotnet run --project samples/GcsClient -- --real BUCKET [OBJECT]        GOOGLE_APPLICATION_CREDENTIALS (any external_account file)
using System.Text.Json;
using CrossCloudAuth;
using CrossCloudAuth.Google;
using CrossCloudAuth.Http;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;
using Microsoft.Extensions.DependencyInjection;

bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
string[] positional = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];

EmulatedWorld? world = real ? null : await EmulatedWorld.StartAsync();
try
{
    string bucket = positional.ElementAtOrDefault(0) ?? (real ? throw new ArgumentException("Usage: GcsClient --real BUCKET [OBJECT]") : World.AppBucket);

    var services = new ServiceCollection();
    if (world is not null)
    {
        // The emulated EKS pod's environment (its GOOGLE_APPLICATION_CREDENTIALS); the real one otherwise.
        services.AddSingleton<ISystemEnvironment>(world.EksPod);
    }

    // GOOGLE_APPLICATION_CREDENTIALS → STS → impersonation, every hop cached; validated at first resolution.
    services.AddGoogleFromAwsIdentity(o =>
    {
        o.Scopes.Add("https://www.googleapis.com/auth/devstorage.read_only");
        o.AllowNonStandardEndpoints = !real; // the emulator's loopback URLs; never set for real configurations
    });
    services.AddHttpClient("gcs", c => c.BaseAddress = world?.Cloud.StorageEndpoint ?? new Uri("https://storage.googleapis.com/"))
        .AddHttpMessageHandler<GoogleBearerTokenHandler>();

    await using ServiceProvider provider = services.BuildServiceProvider();
    HttpClient storage = provider.GetRequiredService<IHttpClientFactory>().CreateClient("gcs");

    // List (following pages), then download one object.
    var names = new List<string>();
    string? pageToken = null;
    do
    {
        string url = $"storage/v1/b/{Uri.EscapeDataString(bucket)}/o?maxResults=100{(pageToken is null ? string.Empty : "&pageToken=" + Uri.EscapeDataString(pageToken))}";
        using JsonDocument page = JsonDocument.Parse(await storage.GetStringAsync(url));
        foreach (JsonElement item in page.RootElement.TryGetProperty("items", out JsonElement items) ? items.EnumerateArray() : default)
        {
            string name = item.GetProperty("name").GetString()!;
            names.Add(name);
            Console.WriteLine($"gs://{bucket}/{name}  {item.GetProperty("size").GetString()} B  {item.GetProperty("updated").GetString()}");
        }

        pageToken = page.RootElement.TryGetProperty("nextPageToken", out JsonElement next) ? next.GetString() : null;
    }
    while (pageToken is not null);

    string? objectName = positional.ElementAtOrDefault(1) ?? names.FirstOrDefault();
    if (objectName is not null)
    {
        byte[] content = await storage.GetByteArrayAsync($"storage/v1/b/{Uri.EscapeDataString(bucket)}/o/{Uri.EscapeDataString(objectName)}?alt=media");
        string file = Path.Combine(Path.GetTempPath(), Path.GetFileName(objectName));
        await File.WriteAllBytesAsync(file, content);
        Console.WriteLine($"downloaded gs://{bucket}/{objectName} ({content.Length} B) to {file}");
    }

    GoogleFederatedCredential credential = provider.GetRequiredService<GoogleFederatedCredential>();
    AuthToken token = await credential.GetAsync();
    Console.WriteLine($"as {credential.ServiceAccountEmail ?? "the federated identity"}; token expires {token.ExpiresOn:u}");
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
