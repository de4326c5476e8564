using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrossCloudAuth.Testing.Google.Storage;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Google;

/// <summary>The Cloud Storage JSON API as plain HTTP sends it: listing with delimiters and paging, bucket metadata,
/// the three upload protocols, ranges, delete, permissions, the object cap, and 501 for what is not emulated.</summary>
public sealed class StorageTests
{
    private const string Scratch = "scratch-bucket";
    private const string ReadOnly = "https://www.googleapis.com/auth/devstorage.read_only";
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task ListObjects_Delimiter_ReturnsDirectItemsAndPrefixes()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse top = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o?delimiter=/", token);
        JsonResponse underA = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o?prefix=a/&delimiter=/", token);

        Assert.Equal("storage#objects", top.String("kind"));
        Assert.Equal(["top.txt"], Names(top));
        Assert.Equal(["a/", "b/"], Prefixes(top));
        Assert.Equal(["a/1.txt", "a/2.txt"], Names(underA));
        Assert.Equal(["a/b/"], Prefixes(underA));
    }

    [Fact]
    public async Task ListObjects_MaxResultsOne_PagesOverPrefixesAndItemsInNameOrder()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        var seen = new List<string?>();
        string? pageToken = null;
        int pages = 0;

        do
        {
            JsonResponse page = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o?delimiter=/&maxResults=1{(pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken))}", token);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(Prefixes(page).Concat(Names(page)));
            pageToken = page.String("nextPageToken");
            pages++;
        }
        while (pageToken is not null && pages < 10);

        Assert.Equal(["a/", "b/", "top.txt"], seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListObjects_PageTokenNotFromAListing_BadRequest()
    {
        await using CloudEmulator cloud = await StartAsync();

        JsonResponse response = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o?pageToken=%%%", cloud.IssueServiceAccountAccessToken(ServiceAccount));

        response.AssertApiError(HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task GetBucket_WithBucketReader_ReturnsBucketResource_WithObjectViewerOnly_Forbidden()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse bucket = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}", token);
        JsonResponse denied = await SendAsync(cloud, HttpMethod.Get, "storage/v1/b/demo-bucket", token);

        Assert.Equal(HttpStatusCode.OK, bucket.Status);
        Assert.Equal("storage#bucket", bucket.String("kind"));
        Assert.Equal(Scratch, bucket.String("name"));
        Assert.Equal("STANDARD", bucket.String("storageClass"));
        denied.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Contains("does not have storage.buckets.get access to the Google Cloud Storage bucket", denied.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadMedia_SimpleUpload_StoresObjectWithCloudStorageChecksums()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse uploaded = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=notes%2Fhello.txt", token, Text("hello world"));
        (HttpStatusCode status, byte[] body, HttpResponseMessage headers) = await DownloadAsync(cloud, $"storage/v1/b/{Scratch}/o/notes%2Fhello.txt?alt=media", token);

        Assert.Equal(HttpStatusCode.OK, uploaded.Status);
        Assert.Equal("storage#object", uploaded.String("kind"));
        Assert.Equal("notes/hello.txt", uploaded.String("name"));
        Assert.Equal("11", uploaded.String("size"));
        Assert.Equal("text/plain; charset=utf-8", uploaded.String("contentType"));
        Assert.Equal("yZRlqg==", uploaded.String("crc32c")); // CRC32C("hello world") = 0xc99465aa
        Assert.Equal("XrY7u+Ae7tCTyyK7j1rNww==", uploaded.String("md5Hash"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hello world", Encoding.UTF8.GetString(body));
        Assert.Equal("crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==", headers.Headers.GetValues("x-goog-hash").Single());
        Assert.Equal(uploaded.String("generation"), headers.Headers.GetValues("x-goog-generation").Single());
    }

    [Fact]
    public async Task UploadMultipart_MetadataAndMedia_StoresNameTypeAndUserMetadata()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        using var content = new MultipartContent("related", "boundary-42")
        {
            new StringContent("""{"name":"data/report.csv","contentType":"text/csv","metadata":{"owner":"ci"}}""", Encoding.UTF8, "application/json"),
            new ByteArrayContent(Encoding.UTF8.GetBytes("id,total\n1,42\n")),
        };

        JsonResponse uploaded = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=multipart", token, content);
        JsonResponse metadata = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o/data%2Freport.csv", token);

        Assert.Equal(HttpStatusCode.OK, uploaded.Status);
        Assert.Equal("data/report.csv", metadata.String("name"));
        Assert.Equal("text/csv", metadata.String("contentType"));
        Assert.Equal("14", metadata.String("size"));
        Assert.Equal("ci", metadata.Body.GetProperty("metadata").GetProperty("owner").GetString());
    }

    [Fact]
    public async Task UploadResumable_ChunksAndStatusQuery_Answers308WithRangeThenTheObject()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        byte[] payload = new byte[(256 * 1024) + 100];
        new Random(7).NextBytes(payload);

        using HttpResponseMessage initiated = await RawAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=resumable", token,
            Json("""{"name":"big.bin","contentType":"application/x-test"}"""), ("X-Upload-Content-Length", payload.Length.ToString()));
        Uri session = initiated.Headers.Location!;
        using HttpResponseMessage first = await PutAsync(session, token, payload[..(256 * 1024)], "bytes 0-262143/*");
        using HttpResponseMessage status = await PutAsync(session, token, [], "bytes */*");
        using HttpResponseMessage oddChunk = await PutAsync(session, token, payload[(256 * 1024)..(256 * 1024 + 10)], "bytes 262144-262153/*");
        using HttpResponseMessage last = await PutAsync(session, token, payload[(256 * 1024)..], $"bytes 262144-{payload.Length - 1}/{payload.Length}");
        (_, byte[] downloaded, _) = await DownloadAsync(cloud, $"storage/v1/b/{Scratch}/o/big.bin?alt=media", token);

        Assert.Equal(HttpStatusCode.OK, initiated.StatusCode);
        Assert.StartsWith(cloud.StorageUploadBaseUri.AbsoluteUri + $"b/{Scratch}/o?uploadType=resumable", session.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(308, (int)first.StatusCode);
        Assert.Equal("bytes=0-262143", first.Headers.GetValues("Range").Single());
        Assert.Equal(308, (int)status.StatusCode);
        Assert.Equal("bytes=0-262143", status.Headers.GetValues("Range").Single());
        Assert.Equal(HttpStatusCode.BadRequest, oddChunk.StatusCode); // not a multiple of 256 KiB and not the last
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Contains("\"contentType\":\"application/x-test\"", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(payload, downloaded);
    }

    [Fact]
    public async Task UploadResumable_DeclaredLengthAboveTheCap_RequestEntityTooLarge()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse response = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=resumable&name=huge.bin", token, null,
            ("X-Upload-Content-Length", (StorageEndpoint.MaxObjectBytes + 1L).ToString()));

        response.AssertApiError(HttpStatusCode.RequestEntityTooLarge, "OUT_OF_RANGE");
        Assert.Contains("16 MiB", response.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadResumable_ChunksBeyondTheCap_RequestEntityTooLargeAndSessionGone()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        using HttpResponseMessage initiated = await RawAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=resumable&name=huge.bin", token, null);
        Uri session = initiated.Headers.Location!;

        using HttpResponseMessage full = await PutAsync(session, token, new byte[StorageEndpoint.MaxObjectBytes], $"bytes 0-{StorageEndpoint.MaxObjectBytes - 1}/*");
        using HttpResponseMessage over = await PutAsync(session, token, new byte[256 * 1024], $"bytes {StorageEndpoint.MaxObjectBytes}-{StorageEndpoint.MaxObjectBytes + (256 * 1024) - 1}/*");
        using HttpResponseMessage after = await PutAsync(session, token, [], "bytes */*");

        Assert.Equal(308, (int)full.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task UploadMedia_BodyAboveTheRequestCap_RequestEntityTooLarge()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        using HttpResponseMessage response = await RawAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=huge.bin", token,
            new ByteArrayContent(new byte[StorageEndpoint.MaxObjectBytes + 1]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("16 MiB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadResumable_GzipMetadata_IsInflated_GzipBomb_BadRequest()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        using HttpResponseMessage initiated = await RawAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=resumable", token,
            Gzip(Encoding.UTF8.GetBytes("""{"name":"zipped.txt"}"""), "application/json"));
        using HttpResponseMessage bomb = await RawAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=bomb.bin", token,
            Gzip(new byte[StorageEndpoint.MaxObjectBytes + (128 * 1024)], "application/octet-stream"));

        Assert.Equal(HttpStatusCode.OK, initiated.StatusCode);
        Assert.Contains("name=zipped.txt", initiated.Headers.Location!.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bomb.StatusCode);
        Assert.Contains("inflates beyond", await bomb.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadMultipart_DeclaredMd5DoesNotMatch_BadRequestAndNothingStored()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        using var content = new MultipartContent("related", "b")
        {
            new StringContent("""{"name":"checked.txt","md5Hash":"AAAAAAAAAAAAAAAAAAAAAA=="}""", Encoding.UTF8, "application/json"),
            new ByteArrayContent(Encoding.UTF8.GetBytes("payload")),
        };

        JsonResponse response = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=multipart", token, content);
        JsonResponse get = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o/checked.txt", token);

        response.AssertApiError(HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        Assert.Contains("MD5", response.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        get.AssertApiError(HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task DownloadObject_Range_PartialContentWithContentRange()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        (HttpStatusCode status, byte[] body, HttpResponseMessage response) = await DownloadAsync(cloud, $"storage/v1/b/{Scratch}/o/top.txt?alt=media", token, "bytes=4-7");
        (HttpStatusCode beyond, _, _) = await DownloadAsync(cloud, $"storage/v1/b/{Scratch}/o/top.txt?alt=media", token, "bytes=500-");

        Assert.Equal(HttpStatusCode.PartialContent, status);
        Assert.Equal("leve", Encoding.UTF8.GetString(body));
        Assert.Equal("bytes 4-7/9", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond);
    }

    [Fact]
    public async Task DeleteObject_Existing_NoContentThenNotFoundInCloudStorageShape()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        using HttpResponseMessage deleted = await RawAsync(cloud, HttpMethod.Delete, $"storage/v1/b/{Scratch}/o/top.txt", token, null);
        JsonResponse again = await SendAsync(cloud, HttpMethod.Delete, $"storage/v1/b/{Scratch}/o/top.txt", token);
        JsonResponse get = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o/top.txt", token);
        JsonResponse bucket = await SendAsync(cloud, HttpMethod.Get, "storage/v1/b/no-such-bucket/o", token);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        again.AssertApiError(HttpStatusCode.NotFound, "NOT_FOUND");
        get.AssertApiError(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal($"No such object: {Scratch}/top.txt", get.Error.GetProperty("message").GetString());
        Assert.Equal("notFound", get.Error.GetProperty("errors")[0].GetProperty("reason").GetString());
        bucket.AssertApiError(HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("The specified bucket does not exist.", bucket.Error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task UploadMedia_IfGenerationMatchZeroOnExistingObject_PreconditionFailed()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse created = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=new.txt&ifGenerationMatch=0", token, Text("one"));
        JsonResponse again = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=new.txt&ifGenerationMatch=0", token, Text("two"));

        Assert.Equal(HttpStatusCode.OK, created.Status);
        again.AssertApiError(HttpStatusCode.PreconditionFailed, "FAILED_PRECONDITION");
        Assert.Equal("conditionNotMet", again.Error.GetProperty("errors")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task UploadMedia_ObjectCreatorOverwriting_ForbiddenNamingDelete()
    {
        await using CloudEmulator cloud = await StartAsync();
        string token = cloud.IssueServiceAccountAccessToken(OtherServiceAccount);

        JsonResponse created = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=fresh.txt", token, Text("new"));
        JsonResponse overwrite = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=top.txt", token, Text("mine"));
        JsonResponse list = await SendAsync(cloud, HttpMethod.Get, $"storage/v1/b/{Scratch}/o", token);

        Assert.Equal(HttpStatusCode.OK, created.Status);
        overwrite.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.Contains($"{OtherServiceAccount} does not have storage.objects.delete access", overwrite.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        list.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
    }

    [Fact]
    public async Task UploadMedia_ReadOnlyScope_Forbidden_RevokedToken_Unauthorized()
    {
        await using CloudEmulator cloud = await StartAsync();
        string readOnly = cloud.IssueServiceAccountAccessToken(ServiceAccount, null, ReadOnly);
        string revoked = cloud.IssueServiceAccountAccessToken(ServiceAccount);
        cloud.RevokeGoogleAccessToken(revoked);

        JsonResponse scope = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=x.txt", readOnly, Text("x"));
        JsonResponse unauthorized = await SendAsync(cloud, HttpMethod.Post, $"upload/storage/v1/b/{Scratch}/o?uploadType=media&name=x.txt", revoked, Text("x"));
        JsonResponse anonymous = await SendAsync(cloud, HttpMethod.Get, "storage/v1/b/anything/o/x/acl", null);

        scope.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        unauthorized.AssertApiError(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        anonymous.AssertApiError(HttpStatusCode.Unauthorized, "UNAUTHENTICATED"); // authentication comes before 501
    }

    [Theory]
    [InlineData("PATCH", "storage/v1/b/scratch-bucket/o/top.txt", "PATCH /storage/v1/b/scratch-bucket/o/top.txt")]
    [InlineData("GET", "storage/v1/b", "GET /storage/v1/b")]
    [InlineData("POST", "storage/v1/b?project=demo-project", "POST /storage/v1/b")]
    [InlineData("GET", "storage/v1/b/no-such-bucket/o/top.txt/acl", "GET /storage/v1/b/no-such-bucket/o/top.txt/acl")]
    [InlineData("POST", "storage/v1/b/scratch-bucket/o/top.txt/compose", "POST /storage/v1/b/scratch-bucket/o/top.txt/compose")]
    [InlineData("GET", "storage/v1/b/scratch-bucket/o?versions=true", "the query parameter 'versions' on GET /storage/v1/b/scratch-bucket/o")]
    [InlineData("GET", "storage/v1/b/scratch-bucket/o?matchGlob=**.txt", "the query parameter 'matchGlob' on GET /storage/v1/b/scratch-bucket/o")]
    [InlineData("POST", "upload/storage/v1/b/scratch-bucket/o?uploadType=xml", "the query parameter 'uploadType=xml' on POST /upload/storage/v1/b/scratch-bucket/o")]
    [InlineData("GET", "storage/v2/whatever", "GET /storage/v2/whatever")]
    public async Task Unsupported_AnyCall_NotImplementedNamingMethodAndPath(string method, string path, string named)
    {
        await using CloudEmulator cloud = await StartAsync();

        JsonResponse response = await SendAsync(cloud, new HttpMethod(method), path, cloud.IssueServiceAccountAccessToken(ServiceAccount), method == "GET" ? null : Json("{}"));

        response.AssertApiError(HttpStatusCode.NotImplemented, "UNIMPLEMENTED");
        Assert.StartsWith($"The Cloud Storage emulator does not implement {named}.", response.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("notImplemented", response.Error.GetProperty("errors")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task StorageBaseUri_IsTheJsonApiRootClientsAppendPathsTo()
    {
        await using CloudEmulator cloud = await StartAsync();

        Assert.Equal($"http://127.0.0.1:{cloud.StorageEndpoint.Port}/storage/v1/", cloud.StorageBaseUri.AbsoluteUri);
        Assert.Equal($"http://127.0.0.1:{cloud.StorageEndpoint.Port}/upload/storage/v1/", cloud.StorageUploadBaseUri.AbsoluteUri);
        JsonResponse list = await SendAsync(cloud, HttpMethod.Get, new Uri(cloud.StorageBaseUri, $"b/{Scratch}/o").AbsoluteUri, cloud.IssueServiceAccountAccessToken(ServiceAccount));
        Assert.Equal(HttpStatusCode.OK, list.Status);
    }

    private Task<CloudEmulator> StartAsync() => StartAllAsync(_clock, b => b.AddBucket(Scratch)
        .AddObject("a/1.txt", "1")
        .AddObject("a/2.txt", "2")
        .AddObject("a/b/3.txt", "3")
        .AddObject("b/4.txt", "4")
        .AddObject("top.txt", "top level")
        .GrantObjectAdmin("serviceAccount:" + ServiceAccount)
        .GrantRole("roles/storage.legacyBucketReader", "serviceAccount:" + ServiceAccount)
        .GrantRole("roles/storage.objectCreator", "serviceAccount:" + OtherServiceAccount));

    private static IEnumerable<string?> Names(JsonResponse list) =>
        list.Body.TryGetProperty("items", out JsonElement items) ? items.EnumerateArray().Select(i => i.GetProperty("name").GetString()) : [];

    private static IEnumerable<string?> Prefixes(JsonResponse list) =>
        list.Body.TryGetProperty("prefixes", out JsonElement prefixes) ? prefixes.EnumerateArray().Select(p => p.GetString()) : [];

    private static ByteArrayContent Gzip(byte[] plain, string contentType)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonResponse> SendAsync(CloudEmulator cloud, HttpMethod method, string path, string? token, HttpContent? content = null, params (string Name, string Value)[] headers)
    {
        using HttpResponseMessage response = await RawAsync(cloud, method, path, token, content, headers);
        return await JsonResponse.ReadAsync(response);
    }

    private static async Task<HttpResponseMessage> RawAsync(CloudEmulator cloud, HttpMethod method, string path, string? token, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using HttpClient http = NewHttpClient();
        using var request = new HttpRequestMessage(method, new Uri(cloud.StorageEndpoint, path)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<HttpResponseMessage> PutAsync(Uri session, string token, byte[] body, string contentRange)
    {
        using HttpClient http = NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        HttpResponseMessage response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<(HttpStatusCode Status, byte[] Body, HttpResponseMessage Response)> DownloadAsync(CloudEmulator cloud, string path, string token, string? range = null)
    {
        using HttpClient http = NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloud.StorageEndpoint, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        HttpResponseMessage response = await http.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, body, response);
    }
}
