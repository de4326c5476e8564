using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google.Storage;

internal sealed partial class StorageEndpoint
{
    private const int MaxListResults = 1000;

    private static readonly string[] Preconditions = ["ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch"];

    private static EmulatorResponse List(EmulatorRequest request, StorageBucket bucket)
    {
        string prefix = request.Query["prefix"] ?? string.Empty;
        string? delimiter = request.Query["delimiter"] is { Length: > 0 } d ? d : null;
        int max = MaxListResults;
        if (request.Query["maxResults"] is { } maxText)
        {
            if (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1)
            {
                return BadRequest($"Invalid value for maxResults: '{maxText}'.");
            }

            max = Math.Min(max, MaxListResults);
        }

        // The page token is the last name (object or prefix) of the previous page; the next page starts after it.
        string? after = null;
        if (request.Query["pageToken"] is { Length: > 0 } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                return BadRequest("Invalid Value: pageToken is not a token this bucket listing returned.");
            }
        }

        // Objects and prefixes are listed together in name order, a prefix once, at its first object.
        var entries = new List<(string Name, StorageObject? Object)>();
        foreach (StorageObject stored in bucket.Snapshot(prefix))
        {
            int cut = delimiter is null ? -1 : stored.Name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            if (cut < 0)
            {
                entries.Add((stored.Name, stored));
            }
            else
            {
                string common = stored.Name[..(cut + delimiter!.Length)];
                if (entries.Count == 0 || entries[^1].Name != common)
                {
                    entries.Add((common, null));
                }
            }
        }

        var page = entries.Where(e => after is null || string.CompareOrdinal(e.Name, after) > 0).Take(max + 1).ToList();
        var body = new JsonObject { ["kind"] = "storage#objects" };
        if (page.Count > max)
        {
            page.RemoveAt(max);
            body["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name));
        }

        string[] prefixes = [.. page.Where(e => e.Object is null).Select(e => e.Name)];
        if (prefixes.Length > 0)
        {
            body["prefixes"] = new JsonArray([.. prefixes.Select(p => (JsonNode)JsonValue.Create(p))]);
        }

        JsonNode[] items = [.. page.Where(e => e.Object is not null).Select(e => (JsonNode)ObjectJson(request, bucket, e.Object!))];
        if (items.Length > 0)
        {
            body["items"] = new JsonArray(items);
        }

        return EmulatorResponse.Json(body);
    }

    private static EmulatorResponse Get(EmulatorRequest request, StorageBucket bucket, string objectName, bool download)
    {
        StorageObject? stored = bucket.Find(objectName);
        if (stored is null || (request.Query["generation"] is { } generation && generation != Generation(stored)))
        {
            return NotFound($"No such object: {bucket.Name}/{objectName}");
        }

        if (PreconditionFailed(request.Query, stored) is { } failed)
        {
            return failed;
        }

        return download || request.Query["alt"] == "media"
            ? Media(request, stored)
            : EmulatorResponse.Json(ObjectJson(request, bucket, stored));
    }

    /// <summary>The object's bytes, or the <c>Range: bytes=…</c> asked for (206), with Cloud Storage's headers;
    /// <c>x-goog-hash</c> always describes the whole object, which is what clients validate.</summary>
    private static EmulatorResponse Media(EmulatorRequest request, StorageObject stored)
    {
        byte[] content = stored.Content;
        EmulatorResponse response;
        if (request.Header("range") is { } range && range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) && !range.Contains(',', StringComparison.Ordinal))
        {
            long length = content.Length;
            if (!TryParseRange(range["bytes=".Length..].Trim(), length, out long start, out long end))
            {
                return GoogleErrors.Api(HttpStatusCode.RequestedRangeNotSatisfiable, "OUT_OF_RANGE", "The requested range cannot be satisfied.", legacyErrors: true, legacyReason: "requestedRangeNotSatisfiable")
                    .WithHeader("Content-Range", $"bytes */{length}");
            }

            response = new EmulatorResponse(HttpStatusCode.PartialContent, stored.ContentType, content[(int)start..(int)(end + 1)])
                .WithHeader("Content-Range", $"bytes {start}-{end}/{length}");
        }
        else
        {
            response = EmulatorResponse.Bytes(content, stored.ContentType);
        }

        return response
            .WithHeader("x-goog-hash", $"crc32c={stored.Crc32c},md5={stored.Md5}")
            .WithHeader("x-goog-generation", Generation(stored))
            .WithHeader("x-goog-metageneration", "1")
            .WithHeader("x-goog-stored-content-length", content.Length.ToString(CultureInfo.InvariantCulture))
            .WithHeader("x-goog-stored-content-encoding", "identity")
            .WithHeader("x-goog-storage-class", "STANDARD")
            .WithHeader("ETag", stored.Etag);
    }

    private static EmulatorResponse Delete(EmulatorRequest request, StorageBucket bucket, string objectName)
    {
        EmulatorResponse? failed = null;
        (bool found, bool deleted) = bucket.Delete(objectName, current => (failed = PreconditionFailed(request.Query, current)) is null);
        if (!found)
        {
            return NotFound($"No such object: {bucket.Name}/{objectName}");
        }

        return deleted ? new EmulatorResponse(HttpStatusCode.NoContent, "application/json; charset=utf-8", []) : failed!;
    }

    /// <summary>Checks <c>ifGenerationMatch</c> and friends against the current generation (<see langword="null"/>:
    /// the object does not exist, which <c>ifGenerationMatch=0</c> asks for); 412 <c>conditionNotMet</c> otherwise.</summary>
    private static EmulatorResponse? PreconditionFailed(NameValueCollection query, StorageObject? current)
    {
        string generation = current is null ? "0" : Generation(current);
        bool ok = (query["ifGenerationMatch"] is not { } match || match == generation)
            && (query["ifGenerationNotMatch"] is not { } notMatch || notMatch != generation)
            && (query["ifMetagenerationMatch"] is not { } metaMatch || (current is not null && metaMatch == "1"))
            && (query["ifMetagenerationNotMatch"] is not { } metaNotMatch || current is null || metaNotMatch != "1");
        return ok ? null : GoogleErrors.Api(HttpStatusCode.PreconditionFailed, "FAILED_PRECONDITION",
            "At least one of the pre-conditions you specified did not hold.", legacyErrors: true, legacyReason: "conditionNotMet");
    }

    /// <summary>Parses <c>a-b</c>, <c>a-</c> or <c>-n</c> (the last n bytes) against an object of <paramref name="length"/> bytes.</summary>
    private static bool TryParseRange(string spec, long length, out long start, out long end)
    {
        start = 0;
        end = length - 1;
        int dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        string first = spec[..dash];
        string last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix) || suffix == 0)
            {
                return false;
            }

            start = Math.Max(0, length - suffix);
            return length > 0;
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            return false;
        }

        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long requestedEnd))
            {
                return false;
            }

            end = Math.Min(requestedEnd, length - 1);
        }

        return start < length && start <= end;
    }

    private static string Generation(StorageObject stored) => stored.Generation.ToString(CultureInfo.InvariantCulture);

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Host(EmulatorRequest request) => "http://" + (request.Header("host") ?? "127.0.0.1");

    /// <summary>The <c>storage#bucket</c> resource.</summary>
    private static JsonObject BucketJson(EmulatorRequest request, StorageBucket bucket) => new()
    {
        ["kind"] = "storage#bucket",
        ["selfLink"] = $"{Host(request)}/storage/v1/b/{bucket.Name}",
        ["id"] = bucket.Name,
        ["name"] = bucket.Name,
        ["metageneration"] = "1",
        ["location"] = "US",
        ["locationType"] = "multi-region",
        ["storageClass"] = "STANDARD",
        ["etag"] = "CAE=",
        ["timeCreated"] = Rfc3339(bucket.Created),
        ["updated"] = Rfc3339(bucket.Created),
        ["iamConfiguration"] = new JsonObject
        {
            ["bucketPolicyOnly"] = new JsonObject { ["enabled"] = true },
            ["uniformBucketLevelAccess"] = new JsonObject { ["enabled"] = true },
            ["publicAccessPrevention"] = "enforced",
        },
    };

    /// <summary>The <c>storage#object</c> resource.</summary>
    private static JsonObject ObjectJson(EmulatorRequest request, StorageBucket bucket, StorageObject stored)
    {
        string host = Host(request);
        string encoded = Uri.EscapeDataString(stored.Name);
        string generation = Generation(stored);
        string time = Rfc3339(stored.Created);
        var json = new JsonObject
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
            ["md5Hash"] = stored.Md5,
            ["crc32c"] = stored.Crc32c,
            ["etag"] = stored.Etag,
            ["timeCreated"] = time,
            ["updated"] = time,
            ["timeStorageClassUpdated"] = time,
        };
        if (stored.Metadata is { Count: > 0 } metadata)
        {
            var meta = new JsonObject();
            foreach ((string key, string value) in metadata)
            {
                meta[key] = value;
            }

            json["metadata"] = meta;
        }

        return json;
    }
}
