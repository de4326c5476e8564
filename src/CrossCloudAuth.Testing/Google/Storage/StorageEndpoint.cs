using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google.Storage;

/// <summary>
/// The Cloud Storage JSON API, read side: <c>GET /storage/v1/b/BUCKET/o</c> (list, with <c>prefix</c>,
/// <c>maxResults</c>, <c>pageToken</c>), <c>GET /storage/v1/b/BUCKET/o/OBJECT</c> (metadata, or the bytes
/// with <c>alt=media</c>) and <c>GET /download/storage/v1/b/BUCKET/o/OBJECT?alt=media</c>. Checks the bearer
/// token, its scope and <c>roles/storage.objectViewer</c> on the bucket.
/// </summary>
internal sealed class StorageEndpoint(IReadOnlyDictionary<string, BucketBuilder> buckets, GoogleTokenStore tokens, DateTimeOffset created) : IEmulatedEndpoint
{
    private readonly BearerAuthenticator _auth = new(tokens, legacyErrors: true,
        GoogleToken.CloudPlatformScope,
        "https://www.googleapis.com/auth/cloud-platform.read-only",
        "https://www.googleapis.com/auth/devstorage.read_only",
        "https://www.googleapis.com/auth/devstorage.read_write",
        "https://www.googleapis.com/auth/devstorage.full_control");

    public EmulatedService Service => EmulatedService.Storage;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));

    private EmulatorResponse Handle(EmulatorRequest request)
    {
        // Work on the raw path: object names arrive percent-encoded, '/' as %2F.
        string raw = request.RawPath;
        bool download = raw.StartsWith("/download/", StringComparison.Ordinal);
        if (download)
        {
            raw = raw["/download".Length..];
        }

        string[] segments = raw.Trim('/').Split('/');
        if (request.Method != "GET" || segments.Length < 5 || segments[0] != "storage" || segments[1] != "v1" || segments[2] != "b" || segments[4] != "o")
        {
            return NotFound("Not Found");
        }

        string bucketName = Uri.UnescapeDataString(segments[3]);
        string? objectName = segments.Length > 5 ? Uri.UnescapeDataString(string.Join('/', segments[5..])) : null;
        string permission = objectName is null ? "storage.objects.list" : "storage.objects.get";

        GoogleToken? caller = _auth.Authenticate(request, out EmulatorResponse? rejection);
        if (caller is null)
        {
            return request.BearerToken() is null
                ? GoogleErrors.Api(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", $"Anonymous caller does not have {permission} access to the Google Cloud Storage bucket. Permission '{permission}' denied on resource (or it may not exist).", legacyErrors: true, legacyReason: "required")
                : rejection!;
        }

        if (!buckets.TryGetValue(bucketName, out BucketBuilder? bucket))
        {
            return NotFound("The specified bucket does not exist.");
        }

        if (!bucket.Viewers.Any(caller.IsMember))
        {
            string what = objectName is null ? "to the Google Cloud Storage bucket" : "to the Google Cloud Storage object";
            return GoogleErrors.Api(HttpStatusCode.Forbidden, "PERMISSION_DENIED",
                $"{caller.DisplayName} does not have {permission} access {what}. Permission '{permission}' denied on resource (or it may not exist).",
                legacyErrors: true, legacyReason: "forbidden");
        }

        return objectName is null ? List(request, bucket) : Get(request, bucket, objectName, download);
    }

    private EmulatorResponse List(EmulatorRequest request, BucketBuilder bucket)
    {
        string prefix = request.Query["prefix"] ?? string.Empty;
        int max = int.TryParse(request.Query["maxResults"], NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m > 0 ? Math.Min(m, 1000) : 1000;
        int start = int.TryParse(request.Query["pageToken"], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : 0;
        BucketBuilder.StoredObject[] matching = [.. bucket.Objects.Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Name, StringComparer.Ordinal)];
        var items = new JsonArray();
        foreach (BucketBuilder.StoredObject stored in matching.Skip(start).Take(max))
        {
            items.Add((JsonNode)Metadata(request, bucket, stored));
        }

        var body = new JsonObject { ["kind"] = "storage#objects" };
        if (start + max < matching.Length)
        {
            body["nextPageToken"] = (start + max).ToString(CultureInfo.InvariantCulture);
        }

        if (items.Count > 0)
        {
            body["items"] = items;
        }

        return EmulatorResponse.Json(body);
    }

    private EmulatorResponse Get(EmulatorRequest request, BucketBuilder bucket, string objectName, bool download)
    {
        BucketBuilder.StoredObject? stored = bucket.Objects.LastOrDefault(o => o.Name == objectName);
        if (stored is null)
        {
            return NotFound($"No such object: {bucket.Name}/{objectName}");
        }

        return download || request.Query["alt"] == "media"
            ? EmulatorResponse.Bytes(stored.Content, stored.ContentType)
            : EmulatorResponse.Json(Metadata(request, bucket, stored));
    }

    private JsonObject Metadata(EmulatorRequest request, BucketBuilder bucket, BucketBuilder.StoredObject stored)
    {
        string host = "http://" + (request.Header("host") ?? "127.0.0.1");
        string encoded = Uri.EscapeDataString(stored.Name);
        string generation = (created.ToUnixTimeMilliseconds() * 1000).ToString(CultureInfo.InvariantCulture);
        string time = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["kind"] = "storage#object",
            ["id"] = $"{bucket.Name}/{stored.Name}/{generation}",
            ["selfLink"] = $"{host}/storage/v1/b/{bucket.Name}/o/{encoded}",
            ["mediaLink"] = $"{host}/download/storage/v1/b/{bucket.Name}/o/{encoded}?generation={generation}&alt=media",
            ["name"] = stored.Name,
            ["bucket"] = bucket.Name,
            ["generation"] = generation,
            ["metageneration"] = "1",
            ["contentType"] = stored.ContentType,
            ["storageClass"] = "STANDARD",
            ["size"] = stored.Content.Length.ToString(CultureInfo.InvariantCulture),
#pragma warning disable CA5351 // Cloud Storage publishes MD5 as a checksum, not for security.
            ["md5Hash"] = Convert.ToBase64String(MD5.HashData(stored.Content)),
#pragma warning restore CA5351
            ["etag"] = Convert.ToBase64String(SHA256.HashData(stored.Content)[..8]),
            ["timeCreated"] = time,
            ["updated"] = time,
        };
    }

    private static EmulatorResponse NotFound(string message) =>
        GoogleErrors.Api(HttpStatusCode.NotFound, "NOT_FOUND", message, legacyErrors: true, legacyReason: "notFound");
}
