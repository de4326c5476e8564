using System.Net;
using System.Text;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using CrossCloudAuth.Platform;
using CrossCloudAuth.Samples.Quickstart;
using CrossCloudAuth.Testing;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.DependencyInjection;
using StorageObject = Google.Apis.Storage.v1.Data.Object;
using StorageObjects = Google.Apis.Storage.v1.Data.Objects;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>
/// Google's own Cloud Storage client (<c>Google.Cloud.Storage.V1</c>'s <see cref="StorageClient"/>) built with the
/// credential <c>AddGoogleFromAwsIdentity()</c> registers, against the emulator: F1's EKS pod lists, uploads (one
/// request and chunked resumable), downloads and deletes.
/// </summary>
public sealed class StorageClientTests
{
    private const string ReadWrite = "https://www.googleapis.com/auth/devstorage.read_write";

    [Fact]
    public async Task ListObjects_PrefixAndDelimiter_ReturnsObjectsAndPrefixes()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);

        StorageObjects[] pages = [.. await storage.ListObjectsAsync(World.AppBucket, null, new ListObjectsOptions { Delimiter = "/" }).AsRawResponses().ToArrayAsync()];
        StorageObject[] reports = [.. await storage.ListObjectsAsync(World.AppBucket, "reports/").ToArrayAsync()];

        Assert.Equal(["readme.txt"], pages.SelectMany(p => p.Items ?? []).Select(o => o.Name));
        Assert.Equal(["reports/"], pages.SelectMany(p => p.Prefixes ?? []));
        Assert.Equal(["reports/2026-11.csv"], reports.Select(o => o.Name));
        Assert.Equal(14UL, reports[0].Size);
        // Every call carried the federated, impersonated token of F1's service account.
        Assert.All(world.Cloud.Requests.For(EmulatedService.Storage), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task ListObjects_PageSizeOne_FollowsPageTokens()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);

        StorageObject[] all = [.. await storage.ListObjectsAsync(World.AppBucket, null, new ListObjectsOptions { PageSize = 1 }).ToArrayAsync()];

        Assert.Equal(["readme.txt", "reports/2026-11.csv"], all.Select(o => o.Name));
        Assert.Equal(2, world.Cloud.Requests.For(EmulatedService.Storage).Count(r => r.Path.EndsWith("/o", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UploadObject_SmallPayload_RoundTripsThroughDownloadAndDelete()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);
        byte[] payload = Encoding.UTF8.GetBytes("report,total\nnovember,42\n");

        StorageObject uploaded = await storage.UploadObjectAsync(World.UploadBucket, "reports/small.csv", "text/csv", new MemoryStream(payload));
        using var downloaded = new MemoryStream();
        await storage.DownloadObjectAsync(World.UploadBucket, "reports/small.csv", downloaded);
        StorageObject metadata = await storage.GetObjectAsync(World.UploadBucket, "reports/small.csv");
        await storage.DeleteObjectAsync(World.UploadBucket, "reports/small.csv");
        GoogleApiException gone = await Assert.ThrowsAsync<GoogleApiException>(() => storage.GetObjectAsync(World.UploadBucket, "reports/small.csv"));

        Assert.Equal((ulong)payload.Length, uploaded.Size);
        Assert.Equal("text/csv", metadata.ContentType);
        Assert.Equal(payload, downloaded.ToArray());
        Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);
        Assert.Contains("No such object: eks-app-uploads/reports/small.csv", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadObject_AboveTheChunkSize_UploadsInResumableChunksAndDownloadsIntact()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);
        byte[] payload = new byte[(2 * UploadObjectOptions.MinimumChunkSize) + 1000];
        new Random(42).NextBytes(payload);

        await storage.UploadObjectAsync(World.UploadBucket, "big.bin", "application/octet-stream", new MemoryStream(payload),
            new UploadObjectOptions { ChunkSize = UploadObjectOptions.MinimumChunkSize });
        using var downloaded = new MemoryStream();
        await storage.DownloadObjectAsync(World.UploadBucket, "big.bin", downloaded);

        Assert.Equal(payload, downloaded.ToArray());
        IReadOnlyList<Testing.Hosting.RecordedRequest> chunks = [.. world.Cloud.Requests.For(EmulatedService.Storage).Where(r => r.Method == "PUT")];
        Assert.Equal(3, chunks.Count);
        Assert.Equal([$"bytes 0-262143/{payload.Length}", $"bytes 262144-524287/{payload.Length}", $"bytes 524288-{payload.Length - 1}/{payload.Length}"], chunks.Select(c => c.Headers["Content-Range"]));
    }

    [Fact]
    public async Task GetBucket_WithLegacyBucketReader_ReturnsTheBucket()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);

        var bucket = await storage.GetBucketAsync(World.UploadBucket);
        GoogleApiException denied = await Assert.ThrowsAsync<GoogleApiException>(() => storage.GetBucketAsync(World.AppBucket));

        Assert.Equal(World.UploadBucket, bucket.Name);
        Assert.Equal("STANDARD", bucket.StorageClass);
        Assert.Equal(HttpStatusCode.Forbidden, denied.HttpStatusCode);
        Assert.Contains("storage.buckets.get", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadObject_ReadOnlyBucket_ForbiddenNamingThePermission()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);

        GoogleApiException denied = await Assert.ThrowsAsync<GoogleApiException>(() =>
            storage.UploadObjectAsync(World.AppBucket, "readme.txt", "text/plain", new MemoryStream([1, 2, 3])));

        Assert.Equal(HttpStatusCode.Forbidden, denied.HttpStatusCode);
        Assert.Contains($"{World.GcsReader} does not have storage.objects.create access", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyObject_NotImplementedByTheEmulator_501NamingTheMethodAndPath()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = Build(world, provider);

        GoogleApiException error = await Assert.ThrowsAsync<GoogleApiException>(() =>
            storage.CopyObjectAsync(World.AppBucket, "readme.txt", World.UploadBucket, "copy.txt"));

        Assert.Equal(HttpStatusCode.NotImplemented, error.HttpStatusCode);
        Assert.Contains("The Cloud Storage emulator does not implement POST /storage/v1/b/eks-app-data/o/readme.txt/rewriteTo/b/eks-app-uploads/o/copy.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListObjects_GoogleCredentialFromTheBridge_ListsTheBucket()
    {
        await using EmulatedWorld world = await EmulatedWorld.StartAsync();
        await using ServiceProvider provider = Services(world);
        StorageClient storage = await new StorageClientBuilder
        {
            GoogleCredential = provider.GetRequiredService<GoogleFederatedCredential>().ToGoogleCredential(),
            BaseUri = world.Cloud.StorageBaseUri.AbsoluteUri,
        }.BuildAsync();

        StorageObject[] all = [.. await storage.ListObjectsAsync(World.AppBucket).ToArrayAsync()];

        Assert.Equal(["readme.txt", "reports/2026-11.csv"], all.Select(o => o.Name));
        Assert.Single(world.Cloud.Requests.For(EmulatedService.IamCredentials));
    }

    /// <summary>F1's pod: its environment, and the credential registered the way an application registers it.</summary>
    private static ServiceProvider Services(EmulatedWorld world)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ISystemEnvironment>(world.EksPod);
        services.AddGoogleFromAwsIdentity(o =>
        {
            o.Scopes.Add(ReadWrite);
            o.AllowNonStandardEndpoints = true; // the emulator's loopback URLs
        });
        return services.BuildServiceProvider();
    }

    /// <summary>Always hands the builder our credential: without one, it would build Google's own from the same file.</summary>
    private static StorageClient Build(EmulatedWorld world, ServiceProvider provider) => new StorageClientBuilder
    {
        Credential = provider.GetRequiredService<ICredential>(),
        BaseUri = world.Cloud.StorageBaseUri.AbsoluteUri,
    }.Build();
}
