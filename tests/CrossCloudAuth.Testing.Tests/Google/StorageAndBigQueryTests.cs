using System.Net;
using System.Text.Json;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.GoogleCalls;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Google;

public sealed class StorageAndBigQueryTests
{
    private const string Query = """{"query":"SELECT * FROM mydataset.users ORDER BY id","useLegacySql":false}""";
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task ListObjects_ImpersonatedToken_ListsBucket()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string federated = await FederatedTokenAsync(cloud, OidcAudience, cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));
        string token = (await GenerateAccessTokenAsync(cloud, ServiceAccount, federated)).String("accessToken")!;

        var (status, body, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o"), token);

        Assert.Equal(HttpStatusCode.OK, status);
        using JsonDocument list = JsonDocument.Parse(body);
        Assert.Equal("storage#objects", list.RootElement.GetProperty("kind").GetString());
        Assert.Equal(["readme.txt", "reports/2026-11.csv"], list.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal("23", list.RootElement.GetProperty("items")[0].GetProperty("size").GetString());
    }

    [Fact]
    public async Task ListObjects_PrefixAndPaging()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        var (_, prefixed, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o?prefix=reports/"), token);
        var (_, paged, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o?maxResults=1"), token);

        using JsonDocument p = JsonDocument.Parse(prefixed);
        using JsonDocument page = JsonDocument.Parse(paged);
        Assert.Single(p.RootElement.GetProperty("items").EnumerateArray());
        Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(page.RootElement.GetProperty("nextPageToken").GetString()));
    }

    [Fact]
    public async Task DownloadObject_AltMedia_ReturnsContent()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount, null, "https://www.googleapis.com/auth/devstorage.read_only");

        var (status, body, type) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o/reports%2F2026-11.csv?alt=media"), token);
        var (_, download, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "download/storage/v1/b/demo-bucket/o/readme.txt?alt=media"), token);
        var (_, metadata, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o/readme.txt"), token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("id,total\n1,42\n", body);
        Assert.Equal("text/plain", type);
        Assert.Equal("hello from the emulator", download);
        using JsonDocument m = JsonDocument.Parse(metadata);
        Assert.Equal("storage#object", m.RootElement.GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("ya29.not-issued-here", HttpStatusCode.Unauthorized)]
    public async Task ListObjects_MissingOrUnknownToken_Unauthorized(string? token, HttpStatusCode expected)
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);

        var (status, body, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o"), token);

        Assert.Equal(expected, status);
        using JsonDocument error = JsonDocument.Parse(body);
        Assert.Equal(401, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.NotEmpty(error.RootElement.GetProperty("error").GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task ListObjects_ExpiredToken_Unauthorized()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount, TimeSpan.FromMinutes(5));
        _clock.Advance(TimeSpan.FromMinutes(6));

        var (status, _, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o"), token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task ListObjects_TokenWithBigQueryScopeOnly_Forbidden()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount, null, "https://www.googleapis.com/auth/bigquery");

        var (status, _, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o"), token);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task ListObjects_NoBucketIam_ForbiddenNamingThePermission()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(OtherServiceAccount);

        var (status, body, _) = await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o"), token);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"{OtherServiceAccount} does not have storage.objects.list access to the Google Cloud Storage bucket.", body);
    }

    [Fact]
    public async Task GetObject_UnknownBucketOrObject_NotFound()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/nope/o"), token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(new Uri(cloud.StorageEndpoint, "storage/v1/b/demo-bucket/o/missing.txt?alt=media"), token)).Status);
    }

    [Fact]
    public async Task Query_SelectOrderBy_ReturnsRowsAndSchema_ThenGetQueryResults()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount, null, "https://www.googleapis.com/auth/bigquery.readonly");

        JsonResponse response = await PostJsonAsync(new Uri(cloud.BigQueryEndpoint, "bigquery/v2/projects/demo-project/queries"), token, Query);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("bigquery#queryResponse", response.String("kind"));
        Assert.True(response.Body.GetProperty("jobComplete").GetBoolean());
        Assert.Equal("3", response.String("totalRows"));
        Assert.Equal(["id", "name", "email"], response.Body.GetProperty("schema").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal("INTEGER", response.Body.GetProperty("schema").GetProperty("fields")[0].GetProperty("type").GetString());
        Assert.Equal(["1", "2", "3"], response.Body.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("f")[0].GetProperty("v").GetString()));
        string jobId = response.Body.GetProperty("jobReference").GetProperty("jobId").GetString()!;
        var (status, results, _) = await GetAsync(new Uri(cloud.BigQueryEndpoint, $"bigquery/v2/projects/demo-project/queries/{jobId}"), token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("getQueryResultsResponse", results);
    }

    [Fact]
    public async Task Query_WhereAndLimit()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(ServiceAccount);

        JsonResponse where = await PostJsonAsync(new Uri(cloud.BigQueryEndpoint, "bigquery/v2/projects/demo-project/queries"), token, """{"query":"SELECT name FROM `demo-project.mydataset.users` WHERE id = 2"}""");
        JsonResponse limit = await PostJsonAsync(new Uri(cloud.BigQueryEndpoint, "bigquery/v2/projects/demo-project/queries"), token, """{"query":"SELECT id FROM mydataset.users ORDER BY id DESC LIMIT 1"}""");

        Assert.Equal("bbbbb", where.Body.GetProperty("rows")[0].GetProperty("f")[0].GetProperty("v").GetString());
        Assert.Equal("3", limit.Body.GetProperty("rows")[0].GetProperty("f")[0].GetProperty("v").GetString());
    }

    [Fact]
    public async Task Query_NoDatasetIam_AccessDenied()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        string token = cloud.IssueServiceAccountAccessToken(OtherServiceAccount);

        JsonResponse response = await PostJsonAsync(new Uri(cloud.BigQueryEndpoint, "bigquery/v2/projects/demo-project/queries"), token, Query);

        response.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        Assert.StartsWith("Access Denied: Table demo-project:mydataset.users", response.Error.GetProperty("message").GetString());
        Assert.Equal("accessDenied", response.Error.GetProperty("errors")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Query_Unsupported_InvalidQuery_WrongScope_Forbidden_NoToken_Unauthorized()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        Uri url = new(cloud.BigQueryEndpoint, "bigquery/v2/projects/demo-project/queries");

        JsonResponse invalid = await PostJsonAsync(url, cloud.IssueServiceAccountAccessToken(ServiceAccount), """{"query":"DELETE FROM mydataset.users"}""");
        JsonResponse scope = await PostJsonAsync(url, cloud.IssueServiceAccountAccessToken(ServiceAccount, null, "https://www.googleapis.com/auth/devstorage.read_only"), Query);
        JsonResponse anonymous = await PostJsonAsync(url, null, Query);

        invalid.AssertApiError(HttpStatusCode.BadRequest, "INVALID_ARGUMENT");
        scope.AssertApiError(HttpStatusCode.Forbidden, "PERMISSION_DENIED");
        anonymous.AssertApiError(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }
}
