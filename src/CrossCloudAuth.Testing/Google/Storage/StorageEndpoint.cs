using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google.Storage;

/// <summary>
/// The Cloud Storage JSON API as Google's clients (<c>Google.Cloud.Storage.V1</c>'s <c>StorageClient</c>,
/// <c>Google.Apis.Storage.v1</c>) and plain REST use it: bucket get; object list (<c>prefix</c>, <c>delimiter</c> with
/// <c>prefixes</c>, <c>maxResults</c> / <c>pageToken</c>), metadata, media download (<c>alt=media</c>, ranges) and delete;
/// simple, multipart and resumable uploads. Every request needs an emulator-issued bearer token with a Storage scope,
/// and the bucket's IAM must grant the operation's permission. Anything else answers 501 <c>UNIMPLEMENTED</c> naming
/// the method and path, so that it is never mistaken for a missing bucket.
/// </summary>
internal sealed partial class StorageEndpoint : IEmulatedEndpoint
{
    /// <summary>The largest object the emulator stores, whatever the upload protocol: 16 MiB. It keeps every object
    /// in memory, so it never buffers more than this per upload (plus the multipart envelope).</summary>
    public const int MaxObjectBytes = 16 * 1024 * 1024;

    /// <summary>At most this many resumable uploads may be open (initiated, not finished) at once.</summary>
    public const int MaxOpenUploads = 64;

    private const long MultipartEnvelopeBytes = 64 * 1024;

    private static readonly string[] ReadScopes =
    [
        GoogleToken.CloudPlatformScope,
        "https://www.googleapis.com/auth/cloud-platform.read-only",
        "https://www.googleapis.com/auth/devstorage.read_only",
        "https://www.googleapis.com/auth/devstorage.read_write",
        "https://www.googleapis.com/auth/devstorage.full_control",
    ];

    private static readonly string[] WriteScopes =
    [
        GoogleToken.CloudPlatformScope,
        "https://www.googleapis.com/auth/devstorage.read_write",
        "https://www.googleapis.com/auth/devstorage.full_control",
    ];

    /// <summary>Parameters every method accepts and that change nothing the emulator answers (partial responses are
    /// answered in full, which clients accept).</summary>
    private static readonly HashSet<string> IgnoredParameters = new(StringComparer.Ordinal)
    {
        "alt", "fields", "prettyPrint", "projection", "userProject", "quotaUser", "key", "$.xgafv", "callback", "upload_protocol",
    };

    private readonly Dictionary<string, StorageBucket> _buckets;
    private readonly BearerAuthenticator _readAuth;
    private readonly BearerAuthenticator _writeAuth;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, UploadSession> _uploads = new(StringComparer.Ordinal);

    public StorageEndpoint(IReadOnlyDictionary<string, BucketBuilder> buckets, GoogleTokenStore tokens, TimeProvider clock)
    {
        _clock = clock;
        DateTimeOffset now = clock.GetUtcNow();
        _buckets = buckets.ToDictionary(b => b.Key, b => new StorageBucket(b.Value, now), StringComparer.Ordinal);
        _readAuth = new BearerAuthenticator(tokens, legacyErrors: true, ReadScopes);
        _writeAuth = new BearerAuthenticator(tokens, legacyErrors: true, WriteScopes);
    }

    public EmulatedService Service => EmulatedService.Storage;

    /// <summary>Gets the per-request body cap: one whole object plus a multipart envelope.</summary>
    public long MaxRequestBodyBytes => MaxObjectBytes + MultipartEnvelopeBytes;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));

    private EmulatorResponse Handle(EmulatorRequest request)
    {
        // Google.Apis gzips JSON request bodies (Content-Encoding: gzip), as Cloud Storage accepts.
        if (string.Equals(request.Header("content-encoding"), "gzip", StringComparison.OrdinalIgnoreCase))
        {
            if (Gunzip(request.Body) is not { } plain)
            {
                return BadRequest($"The gzip request body is corrupt or inflates beyond {MaxRequestBodyBytes} bytes.");
            }

            var headers = request.Headers.Where(h => !h.Key.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)).ToDictionary(StringComparer.OrdinalIgnoreCase);
            request = new EmulatorRequest(request.Method, request.RawTarget, headers, plain);
        }

        // Work on the raw path: object names arrive percent-encoded, '/' as %2F.
        string[] segments = request.RawPath.Trim('/').Split('/');
        Route route = Route.Parse(request.Method, segments);
        bool write = route.Kind is RouteKind.Upload or RouteKind.UploadChunk or RouteKind.DeleteObject;

        GoogleToken? caller = (write ? _writeAuth : _readAuth).Authenticate(request, out EmulatorResponse? rejection);
        if (caller is null)
        {
            return request.BearerToken() is null
                ? GoogleErrors.Api(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", $"Anonymous caller does not have {route.Permission ?? "any"} access to the Google Cloud Storage {(route.Object is null ? "bucket" : "object")}. Permission '{route.Permission ?? "storage.*"}' denied on resource (or it may not exist).", legacyErrors: true, legacyReason: "required")
                : rejection!;
        }

        if (route.Kind == RouteKind.Unsupported)
        {
            return Unimplemented(request, null);
        }

        string[] supported = route.Kind switch
        {
            RouteKind.GetBucket => [],
            RouteKind.ListObjects => ["prefix", "delimiter", "maxResults", "pageToken"],
            RouteKind.GetObject or RouteKind.Download => ["generation", .. Preconditions],
            RouteKind.DeleteObject => [.. Preconditions],
            RouteKind.Upload => ["uploadType", "name", "contentEncoding", .. Preconditions],
            RouteKind.UploadChunk => ["uploadType", "upload_id", "name"],
            _ => [],
        };
        foreach (string? key in request.Query.AllKeys)
        {
            if (key is not null && !IgnoredParameters.Contains(key) && !supported.Contains(key, StringComparer.Ordinal))
            {
                return Unimplemented(request, key);
            }
        }

        if (route.Kind == RouteKind.UploadChunk)
        {
            // The session was authorized when it was initiated; the session id names the bucket and object.
            return PutChunk(request);
        }

        if (!_buckets.TryGetValue(route.Bucket!, out StorageBucket? bucket))
        {
            return NotFound("The specified bucket does not exist.");
        }

        if (Deny(caller, bucket, route.Permission!, route.Object is not null) is { } denied)
        {
            return denied;
        }

        return route.Kind switch
        {
            RouteKind.GetBucket => EmulatorResponse.Json(BucketJson(request, bucket)),
            RouteKind.ListObjects => List(request, bucket),
            RouteKind.GetObject => Get(request, bucket, route.Object!, download: false),
            RouteKind.Download => Get(request, bucket, route.Object!, download: true),
            RouteKind.DeleteObject => Delete(request, bucket, route.Object!),
            RouteKind.Upload => Upload(request, caller, bucket),
            _ => Unimplemented(request, null),
        };
    }

    /// <summary>Inflates a gzip body, never beyond the request cap (a small body may inflate enormously).</summary>
    private byte[]? Gunzip(byte[] body)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body, writable: false), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            byte[] buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (plain.Length + read > MaxRequestBodyBytes)
                {
                    return null;
                }

                plain.Write(buffer, 0, read);
            }

            return plain.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static EmulatorResponse? Deny(GoogleToken caller, StorageBucket bucket, string permission, bool onObject)
    {
        if (bucket.Builder.MembersWith(permission).Any(caller.IsMember))
        {
            return null;
        }

        string what = onObject ? "to the Google Cloud Storage object" : "to the Google Cloud Storage bucket";
        return GoogleErrors.Api(HttpStatusCode.Forbidden, "PERMISSION_DENIED",
            $"{caller.DisplayName} does not have {permission} access {what}. Permission '{permission}' denied on resource (or it may not exist).",
            legacyErrors: true, legacyReason: "forbidden");
    }

    private static EmulatorResponse NotFound(string message) =>
        GoogleErrors.Api(HttpStatusCode.NotFound, "NOT_FOUND", message, legacyErrors: true, legacyReason: "notFound");

    private static EmulatorResponse BadRequest(string message, string reason = "invalid") =>
        GoogleErrors.Api(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", message, legacyErrors: true, legacyReason: reason);

    private static EmulatorResponse TooLarge(string message) =>
        GoogleErrors.Api(HttpStatusCode.RequestEntityTooLarge, "OUT_OF_RANGE", message, legacyErrors: true, legacyReason: "uploadTooLarge");

    /// <summary>501 naming what the emulator does not implement: never a 404, which would read as a missing bucket.</summary>
    private static EmulatorResponse Unimplemented(EmulatorRequest request, string? parameter)
    {
        string what = parameter is null
            ? $"{request.Method} {request.RawPath}"
            : $"the query parameter '{parameter}' on {request.Method} {request.RawPath}";
        return GoogleErrors.Api(HttpStatusCode.NotImplemented, "UNIMPLEMENTED",
            $"The Cloud Storage emulator does not implement {what}. It implements: GET /storage/v1/b/BUCKET; GET /storage/v1/b/BUCKET/o (prefix, delimiter, maxResults, pageToken); GET and DELETE /storage/v1/b/BUCKET/o/OBJECT (alt=media, generation, ifGeneration[Not]Match, ifMetageneration[Not]Match); POST /upload/storage/v1/b/BUCKET/o (uploadType=media, multipart, resumable) and PUT to the resumable session URI.",
            legacyErrors: true, legacyReason: "notImplemented");
    }

    private enum RouteKind
    {
        Unsupported,
        GetBucket,
        ListObjects,
        GetObject,
        Download,
        DeleteObject,
        Upload,
        UploadChunk,
    }

    /// <summary>What a request asks for, decided from the method and the raw path alone.</summary>
    private sealed record Route(RouteKind Kind, string? Bucket, string? Object, string? Permission)
    {
        // Sub-resources of an object the JSON API has and the emulator does not: never read as part of an object name.
        private static readonly HashSet<string> ObjectSubResources = new(StringComparer.Ordinal) { "acl", "rewriteTo", "copyTo", "compose", "iam", "restore", "bulkRestore" };

        public static Route Parse(string method, string[] s)
        {
            bool download = s.Length > 0 && s[0] == "download";
            bool upload = s.Length > 0 && s[0] == "upload";
            string[] p = download || upload ? s[1..] : s;
            if (p.Length < 4 || p[0] != "storage" || p[1] != "v1" || p[2] != "b" || p[3].Length == 0)
            {
                return new Route(RouteKind.Unsupported, null, null, null);
            }

            string bucket = Uri.UnescapeDataString(p[3]);
            if (upload)
            {
                return p.Length == 5 && p[4] == "o" ? method switch
                {
                    "POST" => new Route(RouteKind.Upload, bucket, null, "storage.objects.create"),
                    "PUT" => new Route(RouteKind.UploadChunk, bucket, null, "storage.objects.create"),
                    _ => new Route(RouteKind.Unsupported, bucket, null, null),
                } : new Route(RouteKind.Unsupported, bucket, null, null);
            }

            if (p.Length == 4)
            {
                return method == "GET" && !download ? new Route(RouteKind.GetBucket, bucket, null, "storage.buckets.get") : new Route(RouteKind.Unsupported, bucket, null, null);
            }

            if (p[4] != "o")
            {
                return new Route(RouteKind.Unsupported, bucket, null, null);
            }

            if (p.Length == 5)
            {
                return method == "GET" && !download ? new Route(RouteKind.ListObjects, bucket, null, "storage.objects.list") : new Route(RouteKind.Unsupported, bucket, null, null);
            }

            if (p.Length > 6 && ObjectSubResources.Contains(p[6]))
            {
                return new Route(RouteKind.Unsupported, bucket, null, null);
            }

            // A name sent with unencoded '/' is read as one name, as before.
            string name = Uri.UnescapeDataString(string.Join('/', p[5..]));
            return (method, download) switch
            {
                ("GET", false) => new Route(RouteKind.GetObject, bucket, name, "storage.objects.get"),
                ("GET", true) => new Route(RouteKind.Download, bucket, name, "storage.objects.get"),
                ("DELETE", false) => new Route(RouteKind.DeleteObject, bucket, name, "storage.objects.delete"),
                _ => new Route(RouteKind.Unsupported, bucket, name, null),
            };
        }
    }
}
