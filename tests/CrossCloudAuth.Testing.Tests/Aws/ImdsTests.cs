using System.Net;
using System.Text.Json;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Aws;

public sealed class ImdsTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task SecurityCredentials_WithSessionToken_ReturnsRoleSessionThatVerifiesAtSts()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        string token = await PutTokenAsync(http, cloud, "300");

        string role = await GetTextAsync(http, cloud, "latest/meta-data/iam/security-credentials/", token);
        using JsonDocument credentials = JsonDocument.Parse(await GetTextAsync(http, cloud, "latest/meta-data/iam/security-credentials/" + role, token));

        Assert.Equal("node-role", role);
        JsonElement c = credentials.RootElement;
        Assert.Equal("Success", c.GetProperty("Code").GetString());
        Assert.Equal("AWS-HMAC", c.GetProperty("Type").GetString());
        Assert.StartsWith("ASIA", c.GetProperty("AccessKeyId").GetString());
        Assert.Equal("2026-11-23T12:00:00Z", c.GetProperty("LastUpdated").GetString());
        Assert.Equal("2026-11-23T18:00:00Z", c.GetProperty("Expiration").GetString());
        var session = new AwsCredentials(c.GetProperty("AccessKeyId").GetString()!, c.GetProperty("SecretAccessKey").GetString()!, c.GetProperty("Token").GetString());
        StsResponse identity = await AwsStsCallerIdentityTests.CallAsync(cloud, session, _clock.GetUtcNow());
        Assert.Equal($"arn:aws:sts::{CiAccount}:assumed-role/node-role/i-0123456789abcdef0", identity["Arn"]);
    }

    [Fact]
    public async Task SecurityCredentials_SameUntilFifteenMinutesBeforeExpiry_ThenRotated()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        string token = await PutTokenAsync(http, cloud, "21600");
        string path = "latest/meta-data/iam/security-credentials/node-role";

        string first = KeyId(await GetTextAsync(http, cloud, path, token));
        _clock.Advance(TimeSpan.FromHours(5));
        string second = KeyId(await GetTextAsync(http, cloud, path, token));
        _clock.Advance(TimeSpan.FromMinutes(50));
        string third = KeyId(await GetTextAsync(http, cloud, path, token));

        Assert.Equal(first, second);
        Assert.NotEqual(second, third);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("21601")]
    [InlineData("abc")]
    public async Task PutToken_TtlMissingOrOutOfRange_BadRequest(string? ttl)
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(cloud.InstanceMetadataEndpoint, "latest/api/token"));
        if (ttl is not null)
        {
            request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        }

        using HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithoutToken_Unauthorized()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage response = await http.GetAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/placement/region"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithoutToken_ImdsV1Allowed_Answers()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b => b.ConfigureInstanceMetadata(m => m.AllowImdsV1()));
        using HttpClient http = NewHttpClient();

        string region = await http.GetStringAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/placement/region"));

        Assert.Equal("us-east-2", region);
    }

    [Fact]
    public async Task Get_ExpiredSessionToken_Unauthorized()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        string token = await PutTokenAsync(http, cloud, "300");
        _clock.Advance(TimeSpan.FromSeconds(301));

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/placement/region"));
        request.Headers.Add("X-aws-ec2-metadata-token", token);
        using HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Placement_AndIdentityDocument_DescribeTheInstance()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();
        string token = await PutTokenAsync(http, cloud, "60");

        Assert.Equal("us-east-2b", await GetTextAsync(http, cloud, "latest/meta-data/placement/availability-zone", token));
        Assert.Equal("us-east-2", await GetTextAsync(http, cloud, "latest/meta-data/placement/region", token));
        using JsonDocument document = JsonDocument.Parse(await GetTextAsync(http, cloud, "latest/dynamic/instance-identity/document", token));
        Assert.Equal(CiAccount, document.RootElement.GetProperty("accountId").GetString());
        Assert.Equal("us-east-2", document.RootElement.GetProperty("region").GetString());
    }

    [Fact]
    public async Task ContainerCredentials_AuthorizationChecked()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage missing = await http.GetAsync(cloud.ContainerCredentialsUri);
        using var wrongRequest = new HttpRequestMessage(HttpMethod.Get, cloud.ContainerCredentialsUri);
        wrongRequest.Headers.TryAddWithoutValidation("Authorization", "nope");
        using HttpResponseMessage wrong = await http.SendAsync(wrongRequest);
        using var rightRequest = new HttpRequestMessage(HttpMethod.Get, cloud.ContainerCredentialsUri);
        rightRequest.Headers.TryAddWithoutValidation("Authorization", "pod-identity-token");
        using HttpResponseMessage right = await http.SendAsync(rightRequest);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await right.Content.ReadAsStringAsync());
        Assert.Equal(NodeRoleArn, body.RootElement.GetProperty("RoleArn").GetString());
        Assert.StartsWith("ASIA", body.RootElement.GetProperty("AccessKeyId").GetString());
    }

    internal static async Task<string> PutTokenAsync(HttpClient http, CloudEmulator cloud, string ttl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(cloud.InstanceMetadataEndpoint, "latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        using HttpResponseMessage response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> GetTextAsync(HttpClient http, CloudEmulator cloud, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloud.InstanceMetadataEndpoint, path));
        request.Headers.Add("X-aws-ec2-metadata-token", token);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string KeyId(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("AccessKeyId").GetString()!;
    }
}
