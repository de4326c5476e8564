// Lists, downloads and uploads Cloud Storage objects with Google's own client (Google.Cloud.Storage.V1's
// StorageClient), the way an application wires it: services.AddGoogleFromAwsIdentity() registers the federated
// credential, and the StorageClientBuilder is always given that credential. Without Credential, the builder would
// build Google's own credential from the same GOOGLE_APPLICATION_CREDENTIALS file, silently bypassing this library.
//
//   dotnet run --project samples/GcsClient                                            the emulator's EKS pod (flow F1)
//   dotnet run --project samples/GcsClient -- --real BUCKET [PREFIX] [--upload-to BUCKET]
//                                                                                     GOOGLE_APPLICATION_CREDENTIALS (any external_account file)
using System.Text;
using CrossCloudAuth;
using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.DependencyInjection;

bool real = args.Contains("--real") || Environment.GetEnvironmentVariable("CROSSCLOUDAUTH_REAL") is "1" or "true";
int uploadFlag = Array.IndexOf(args, "--upload-to");
string[] positional = [.. args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (uploadFlag < 0 || i != uploadFlag + 1))];

EmulatedWorld? world = real ? null : await EmulatedWorld.StartAsync();
try
{
    string bucket = positional.ElementAtOrDefault(0) ?? (real ? throw new ArgumentException("Usage: GcsClient --real BUCKET [PREFIX] [--upload-to BUCKET]") : World.AppBucket);
    string prefix = positional.ElementAtOrDefault(1) ?? string.Empty;
    string? uploadBucket = uploadFlag >= 0 ? args.ElementAtOrDefault(uploadFlag + 1) : real ? null : World.UploadBucket;

    var services = new ServiceCollection();
    if (world is not null)
    {
        // The emulated EKS pod's environment (its GOOGLE_APPLICATION_CREDENTIALS); the real one otherwise.
        services.AddSingleton<ISystemEnvironment>(world.EksPod);
    }

    // GOOGLE_APPLICATION_CREDENTIALS → STS → impersonation, every hop cached; validated at first resolution.
    services.AddGoogleFromAwsIdentity(o =>
    {
        o.Scopes.Add(uploadBucket is null ? "https://www.googleapis.com/auth/devstorage.read_only" : "https://www.googleapis.com/auth/devstorage.read_write");
        o.AllowNonStandardEndpoints = !real; // the emulator's loopback URLs; never set for real configurations
    });

    await using ServiceProvider provider = services.BuildServiceProvider();

    // Always set Credential: our ICredential (or GoogleCredentialBridge's GoogleCredential). BaseUri only for the emulator.
    StorageClient storage = await new StorageClientBuilder
    {
        Credential = provider.GetRequiredService<ICredential>(),
        BaseUri = world?.Cloud.StorageBaseUri.AbsoluteUri,
    }.BuildAsync();

    // List one "directory" level: objects directly under the prefix, and the sub-prefixes (pages followed for us).
    var names = new List<string>();
    await foreach (Google.Apis.Storage.v1.Data.Objects page in storage.ListObjectsAsync(bucket, prefix, new ListObjectsOptions { Delimiter = "/" }).AsRawResponses())
    {
        foreach (string sub in page.Prefixes ?? [])
        {
            Console.WriteLine($"gs://{bucket}/{sub}");
        }

        foreach (Google.Apis.Storage.v1.Data.Object item in page.Items ?? [])
        {
            names.Add(item.Name);
            Console.WriteLine($"gs://{bucket}/{item.Name}  {item.Size} B  {item.UpdatedDateTimeOffset:u}");
        }
    }

    if (names.FirstOrDefault() is { } objectName)
    {
        using var content = new MemoryStream();
        await storage.DownloadObjectAsync(bucket, objectName, content); // CRC32C-checked by the client
        Console.WriteLine($"downloaded gs://{bucket}/{objectName} ({content.Length} B): {Encoding.UTF8.GetString(content.ToArray()).Trim()}");
    }

    if (uploadBucket is not null)
    {
        // UploadObject always uses the resumable protocol: chunks of ChunkSize (10 MiB by default; the 256 KiB minimum
        // here, so that this 520 kB report goes up in two), each acknowledged before the next.
        byte[] report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 40_000).Select(i => $"row,{i:D8}\n")));
        string name = $"reports/{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.csv";
        Google.Apis.Storage.v1.Data.Object uploaded = await storage.UploadObjectAsync(uploadBucket, name, "text/csv", new MemoryStream(report),
            new UploadObjectOptions { ChunkSize = UploadObjectOptions.MinimumChunkSize });
        using var back = new MemoryStream();
        await storage.DownloadObjectAsync(uploadBucket, name, back);
        Console.WriteLine($"uploaded gs://{uploadBucket}/{name} ({uploaded.Size} B, crc32c {uploaded.Crc32c}); read back {(back.ToArray().AsSpan().SequenceEqual(report) ? "identical" : "DIFFERENT")}");
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
catch (GoogleApiException e)
{
    Console.Error.WriteLine($"Cloud Storage answered {(int)e.HttpStatusCode}: {e.Error?.Message ?? e.Message}");
    return 1;
}
finally
{
    if (world is not null)
    {
        await world.DisposeAsync();
    }
}
