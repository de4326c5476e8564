// Lists a Cloud Storage bucket and downloads an object over the JSON REST API, with the workload's federated
// identity added by CrossCloudAuth's GoogleBearerTokenHandler.
//
//   dotnet run --project samples/GcsClient                                  the emulator's EKS pod (flow F1)
//   dotnet run --project samples/GcsClient -- --real BUCKET [OBJECT]        GOOGLE_APPLICATION_CREDENTIALS (any external_account file)
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
    ISystemEnvironment environment = world is null ? SystemEnvironment.Instance : world.EksPod;
    Uri storageEndpoint = world?.Cloud.StorageEndpoint ?? new Uri("https://storage.googleapis.com/");
    string bucket = positional.ElementAtOrDefault(0) ?? (real ? throw new ArgumentException("Usage: GcsClient --real BUCKET [OBJECT]") : World.AppBucket);

    // 1. The credential: GOOGLE_APPLICATION_CREDENTIALS → STS → impersonation, every hop cached.
    using GoogleFederatedCredential credential = await GoogleFederatedCredential.FromEnvironmentAsync(o =>
    {
        o.Scopes = ["https://www.googleapis.com/auth/devstorage.read_only"];
        o.AllowNonStandardEndpoints = !real; // the emulator's loopback URLs; never set for real configurations
    }, environment);

    // 2. A plain HttpClient whose requests carry the bearer token (and x-goog-user-project when configured).
    using var storage = new HttpClient(new GoogleBearerTokenHandler(credential, new GoogleBearerTokenHandlerOptions { AllowHttpToLoopback = !real })
    {
        InnerHandler = new SocketsHttpHandler(),
    })
    { BaseAddress = storageEndpoint };

    // 3. List (following pages), then download one object.
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

    AccessToken token = await credential.GetAsync();
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
