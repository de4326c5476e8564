using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace CrossCloudAuth.Testing.Google.Storage;

internal sealed partial class StorageEndpoint
{
    /// <summary>Every chunk of a resumable upload but the last is a multiple of 256 KiB.</summary>
    private const int ChunkGranularity = 256 * 1024;

    private const string DefaultContentType = "application/octet-stream";

    /// <summary><c>POST /upload/storage/v1/b/BUCKET/o?uploadType=media|multipart|resumable</c>.</summary>
    private EmulatorResponse Upload(EmulatorRequest request, GoogleToken caller, StorageBucket bucket)
    {
        // Overwriting an object also needs storage.objects.delete (roles/storage.objectCreator alone cannot).
        bool mayOverwrite = bucket.Builder.MembersWith("storage.objects.delete").Any(caller.IsMember);
        switch (request.Query["uploadType"])
        {
            case null or "":
                return BadRequest("Upload requests must include an uploadType URL parameter and a URL-encoded object name.", "required");
            case "media":
                if (request.Body.Length > MaxObjectBytes)
                {
                    return TooLarge(ObjectTooLarge);
                }

                return Store(request, bucket, caller, mayOverwrite, request.Query["name"], [.. request.Body], request.Header("content-type") ?? DefaultContentType, null, request.Query);
            case "multipart":
                return Multipart(request, bucket, caller, mayOverwrite);
            case "resumable":
                return StartResumable(request, bucket, caller, mayOverwrite);
            default:
                return Unimplemented(request, "uploadType=" + request.Query["uploadType"]);
        }
    }

    private static string ObjectTooLarge => $"The object exceeds the emulator's limit of {MaxObjectBytes} bytes ({MaxObjectBytes / (1024 * 1024)} MiB) per object.";

    private EmulatorResponse Multipart(EmulatorRequest request, StorageBucket bucket, GoogleToken caller, bool mayOverwrite)
    {
        if (!MediaTypeHeaderValue.TryParse(request.Header("content-type"), out MediaTypeHeaderValue? type)
            || !type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return BadRequest("A multipart upload needs Content-Type: multipart/related with a boundary.");
        }

        var parts = new List<(string? ContentType, byte[] Body)>();
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(request.Body, writable: false)) { BodyLengthLimit = MaxObjectBytes + 1 };
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                using var buffer = new MemoryStream();
                section.Body.CopyTo(buffer);
                parts.Add((section.ContentType, buffer.ToArray()));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return BadRequest($"The multipart body could not be read: {e.Message}");
        }

        if (parts.Count != 2)
        {
            return BadRequest($"A multipart upload has exactly two parts, the JSON metadata and the media; this one has {parts.Count}.");
        }

        if (parts[1].Body.Length > MaxObjectBytes)
        {
            return TooLarge(ObjectTooLarge);
        }

        if (!TryReadMetadata(parts[0].Body, out ObjectMetadata? metadata, out EmulatorResponse? invalid))
        {
            return invalid!;
        }

        return Store(request, bucket, caller, mayOverwrite, metadata.Name ?? request.Query["name"], parts[1].Body,
            metadata.ContentType ?? parts[1].ContentType ?? DefaultContentType, metadata.Custom, request.Query, metadata.Md5, metadata.Crc32c);
    }

    private EmulatorResponse StartResumable(EmulatorRequest request, StorageBucket bucket, GoogleToken caller, bool mayOverwrite)
    {
        if (!TryReadMetadata(request.Body, out ObjectMetadata? metadata, out EmulatorResponse? invalid))
        {
            return invalid!;
        }

        string? name = request.Query["name"] ?? metadata.Name;
        if (ValidateName(name) is { } badName)
        {
            return badName;
        }

        long? declared = null;
        if (request.Header("x-upload-content-length") is { } lengthText)
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
            {
                return BadRequest($"Invalid X-Upload-Content-Length: '{lengthText}'.");
            }

            if (length > MaxObjectBytes)
            {
                return TooLarge(ObjectTooLarge);
            }

            declared = length;
        }

        if (_uploads.Values.Count(u => u.Result is null) >= MaxOpenUploads)
        {
            return GoogleErrors.Api(HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED",
                $"The emulator holds at most {MaxOpenUploads} unfinished resumable uploads; finish or abandon some first.", legacyErrors: true, legacyReason: "rateLimitExceeded");
        }

        string id = Base64Url(RandomNumberGenerator.GetBytes(24));
        _uploads[id] = new UploadSession(bucket, caller, name!, metadata.ContentType ?? request.Header("x-upload-content-type") ?? DefaultContentType,
            metadata.Custom, declared, mayOverwrite, new NameValueCollection(request.Query), metadata.Md5, metadata.Crc32c);
        string location = $"{Host(request)}/upload/storage/v1/b/{Uri.EscapeDataString(bucket.Name)}/o?uploadType=resumable&name={Uri.EscapeDataString(name!)}&upload_id={id}";
        return new EmulatorResponse(HttpStatusCode.OK, "text/plain; charset=utf-8", [])
            .WithHeader("Location", location)
            .WithHeader("X-GUploader-UploadID", id);
    }

    /// <summary><c>PUT</c> to a resumable session URI: one chunk (<c>Content-Range: bytes A-B/TOTAL|*</c>), the
    /// whole object (no <c>Content-Range</c>), or a status query (<c>bytes */TOTAL|*</c> with no body). Answers 308
    /// with <c>Range</c> while incomplete, the object when complete.</summary>
    private EmulatorResponse PutChunk(EmulatorRequest request)
    {
        if (request.Query["upload_id"] is not { Length: > 0 } id || !_uploads.TryGetValue(id, out UploadSession? session)
            || !request.RawPath.EndsWith($"/b/{Uri.EscapeDataString(session.Bucket.Name)}/o", StringComparison.Ordinal))
        {
            return NotFound("No such upload session: the upload_id is unknown to this emulator or belongs to another bucket; start a new resumable upload.");
        }

        lock (session.Lock)
        {
            if (session.Result is { } done)
            {
                return EmulatorResponse.Json(ObjectJson(request, session.Bucket, done));
            }

            long committed = session.Buffer.Length;
            byte[] body = request.Body;
            long? total;
            long first;
            string? range = request.Header("content-range");
            if (range is null)
            {
                first = 0;
                total = body.Length;
            }
            else if (!TryParseContentRange(range, out long? rangeStart, out long? rangeEnd, out total))
            {
                return BadRequest($"Invalid Content-Range: '{range}'. Expected 'bytes FIRST-LAST/TOTAL', 'bytes FIRST-LAST/*' or 'bytes */TOTAL'.");
            }
            else if (rangeStart is null)
            {
                // A status query, or the completion of an upload whose bytes have all arrived.
                if (body.Length != 0)
                {
                    return BadRequest("A 'bytes */…' Content-Range carries no body.");
                }

                return total == committed ? Complete(request, session) : Incomplete(committed);
            }
            else
            {
                first = rangeStart.Value;
                if (rangeEnd!.Value - first + 1 != body.Length)
                {
                    return BadRequest($"Content-Range '{range}' announces {rangeEnd.Value - first + 1} bytes but the body has {body.Length}.");
                }
            }

            if (first > committed)
            {
                return BadRequest($"Content-Range starts at byte {first} but the session has only {committed} bytes; resume from byte {committed}.");
            }

            if (total is { } t && (t > MaxObjectBytes || (session.DeclaredLength is { } d && d != t)))
            {
                RemoveSession(id, session);
                return t > MaxObjectBytes ? TooLarge(ObjectTooLarge) : BadRequest($"The upload was started with X-Upload-Content-Length {session.DeclaredLength} but Content-Range says {t}.");
            }

            long last = first + body.Length;
            bool final = total is not null && last == total;
            if (!final && body.Length % ChunkGranularity != 0)
            {
                return BadRequest($"Every chunk but the last must be a multiple of {ChunkGranularity} bytes; this one has {body.Length}.");
            }

            if (last > MaxObjectBytes)
            {
                RemoveSession(id, session);
                return TooLarge(ObjectTooLarge);
            }

            // Bytes already received (a client resending after a lost answer) are skipped.
            if (last > committed)
            {
                session.Buffer.Write(body, (int)(committed - first), (int)(last - committed));
            }

            return total == session.Buffer.Length ? Complete(request, session) : Incomplete(session.Buffer.Length);
        }
    }

    private EmulatorResponse Complete(EmulatorRequest request, UploadSession session)
    {
        EmulatorResponse response = Store(request, session.Bucket, session.Caller, session.MayOverwrite, session.Name, session.Buffer.ToArray(),
            session.ContentType, session.Metadata, session.Preconditions, session.Md5, session.Crc32c, session);
        session.Buffer.SetLength(0);
        session.Buffer.Capacity = 0;
        return response;
    }

    private void RemoveSession(string id, UploadSession session)
    {
        _uploads.TryRemove(id, out _);
        session.Buffer.Dispose();
    }

    private static EmulatorResponse Incomplete(long committed)
    {
        var response = new EmulatorResponse((HttpStatusCode)308, "text/plain; charset=utf-8", []);
        return committed > 0 ? response.WithHeader("Range", $"bytes=0-{committed - 1}") : response;
    }

    private EmulatorResponse Store(EmulatorRequest request, StorageBucket bucket, GoogleToken caller, bool mayOverwrite, string? name, byte[] content, string contentType,
        IReadOnlyDictionary<string, string>? metadata, NameValueCollection preconditions, string? md5 = null, string? crc32c = null, UploadSession? session = null)
    {
        if (ValidateName(name) is { } badName)
        {
            return badName;
        }

#pragma warning disable CA5351 // Cloud Storage checks the MD5 a client declares, as a checksum.
        if (md5 is not null && md5 != Convert.ToBase64String(MD5.HashData(content)))
#pragma warning restore CA5351
        {
            return BadRequest("Provided MD5 hash doesn't match calculated MD5 hash.");
        }

        if (crc32c is not null && crc32c != Crc32C.Base64(content))
        {
            return BadRequest("Provided CRC32C \"" + crc32c + "\" doesn't match calculated CRC32C \"" + Crc32C.Base64(content) + "\".");
        }

        EmulatorResponse? refused = null;
        StorageObject? result = bucket.Put(name!, content, contentType, metadata, _clock.GetUtcNow(), current =>
        {
            refused = current is not null && !mayOverwrite
                ? Deny(caller, bucket, "storage.objects.delete", onObject: true)
                : PreconditionFailed(preconditions, current);
            return refused is null;
        });
        if (result is null)
        {
            return refused!;
        }

        if (session is not null)
        {
            session.Result = result;
        }

        return EmulatorResponse.Json(ObjectJson(request, bucket, result));
    }

    private static EmulatorResponse? ValidateName(string? name) =>
        string.IsNullOrEmpty(name) ? BadRequest("Required: the object name (the 'name' query parameter or metadata field).", "required")
        : Encoding.UTF8.GetByteCount(name) > 1024 || name.Contains('\r', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal) || name is "." or ".."
            ? BadRequest("The object name is invalid: at most 1024 bytes of UTF-8, no carriage return or line feed, not '.' or '..'.")
            : null;

    private static bool TryParseContentRange(string header, out long? first, out long? last, out long? total)
    {
        first = last = total = null;
        if (!header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string[] parts = header["bytes ".Length..].Trim().Split('/');
        if (parts.Length != 2)
        {
            return false;
        }

        if (parts[1] != "*")
        {
            if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long t))
            {
                return false;
            }

            total = t;
        }

        if (parts[0] == "*")
        {
            return true;
        }

        string[] bounds = parts[0].Split('-');
        if (bounds.Length != 2
            || !long.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out long a)
            || !long.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out long b)
            || b < a
            || (total is { } t2 && b >= t2))
        {
            return false;
        }

        first = a;
        last = b;
        return true;
    }

    /// <summary>Reads the JSON object resource of an upload (<c>name</c>, <c>contentType</c>, <c>metadata</c>,
    /// <c>md5Hash</c>, <c>crc32c</c>); an empty body is an empty resource.</summary>
    private static bool TryReadMetadata(byte[] body, out ObjectMetadata metadata, out EmulatorResponse? invalid)
    {
        metadata = new ObjectMetadata(null, null, null, null, null);
        invalid = null;
        if (body.Length == 0)
        {
            return true;
        }

        try
        {
            if (JsonNode.Parse(body) is not JsonObject json)
            {
                invalid = BadRequest("The object metadata must be a JSON object.", "parseError");
                return false;
            }

            Dictionary<string, string>? custom = null;
            if (json["metadata"] is JsonObject user)
            {
                custom = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach ((string key, JsonNode? value) in user)
                {
                    if (value is not null)
                    {
                        custom[key] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                    }
                }
            }

            metadata = new ObjectMetadata(Text(json, "name"), Text(json, "contentType"), custom, Text(json, "md5Hash"), Text(json, "crc32c"));
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            invalid = BadRequest("Parse Error: the object metadata is not valid JSON.", "parseError");
            return false;
        }
    }

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record ObjectMetadata(string? Name, string? ContentType, IReadOnlyDictionary<string, string>? Custom, string? Md5, string? Crc32c);

    /// <summary>An open resumable upload: what was asked at initiation, and the bytes received so far.</summary>
    private sealed class UploadSession(StorageBucket bucket, GoogleToken caller, string name, string contentType, IReadOnlyDictionary<string, string>? metadata,
        long? declaredLength, bool mayOverwrite, NameValueCollection preconditions, string? md5, string? crc32c)
    {
        public Lock Lock { get; } = new();

        public StorageBucket Bucket => bucket;

        public GoogleToken Caller => caller;

        public string Name => name;

        public string ContentType => contentType;

        public IReadOnlyDictionary<string, string>? Metadata => metadata;

        public long? DeclaredLength => declaredLength;

        public bool MayOverwrite => mayOverwrite;

        public NameValueCollection Preconditions => preconditions;

        public string? Md5 => md5;

        public string? Crc32c => crc32c;

        public MemoryStream Buffer { get; } = new();

        public StorageObject? Result { get; set; }
    }
}
