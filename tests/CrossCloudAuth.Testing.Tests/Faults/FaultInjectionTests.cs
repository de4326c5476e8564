using System.Net;
using CrossCloudAuth.Testing.Faults;
using CrossCloudAuth.Testing.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CrossCloudAuth.Testing.Tests.Support.TestClouds;

namespace CrossCloudAuth.Testing.Tests.Faults;

public sealed class FaultInjectionTests
{
    private readonly FakeTimeProvider _clock = NewClock();

    [Fact]
    public async Task Status_ForNextTwoCalls_ThenServiceAnswers()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        FaultRule rule = cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.Status(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.FromSeconds(2)), times: 2);
        using HttpClient http = NewHttpClient();

        HttpResponseMessage[] responses = [await PutTokenAsync(http, cloud), await PutTokenAsync(http, cloud), await PutTokenAsync(http, cloud)];

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], responses.Select(r => r.StatusCode));
        Assert.Equal("2", responses[0].Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, rule.AppliedCount);
        Assert.Equal(0, rule.RemainingCount);
        Assert.Equal(2, cloud.Requests.Count(r => r.Fault is not null));
    }

    [Fact]
    public async Task Status_OnlyForMatchingPath()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b => b.ConfigureInstanceMetadata(m => m.AllowImdsV1()));
        cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.Status(HttpStatusCode.InternalServerError), pathContains: "/security-credentials/");
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage region = await http.GetAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/placement/region"));
        using HttpResponseMessage credentials = await http.GetAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/iam/security-credentials/node-role"));

        Assert.Equal(HttpStatusCode.OK, region.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, credentials.StatusCode);
    }

    [Fact]
    public async Task Probability_WithSeed_AffectsSomeCallsRepeatably()
    {
        async Task<int> CountFaultsAsync()
        {
            await using CloudEmulator cloud = await StartAwsAsync(_clock);
            cloud.Faults.UseSeed(42);
            cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.Status(HttpStatusCode.TooManyRequests), probability: 0.5);
            using HttpClient http = NewHttpClient();
            int faults = 0;
            for (int i = 0; i < 20; i++)
            {
                using HttpResponseMessage response = await PutTokenAsync(http, cloud);
                faults += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
            }

            return faults;
        }

        int first = await CountFaultsAsync();
        int second = await CountFaultsAsync();

        Assert.InRange(first, 1, 19);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task MalformedBody_Answers200WithGarbage()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.Oidc, Fault.MalformedBody(), times: 1);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage response = await http.GetAsync(cloud.GetOidcIssuer("eks").JwksUri);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(body));
    }

    [Fact]
    public async Task TruncatedBody_ReadFails()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.Oidc, Fault.TruncatedBody(), times: 1);
        using HttpClient http = NewHttpClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(cloud.GetOidcIssuer("eks").JwksUri));
    }

    [Fact]
    public async Task OversizedBody_SendsDeclaredSize()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.AwsSts, Fault.OversizedBody(2 * 1024 * 1024), times: 1);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage response = await http.PostAsync(cloud.AwsStsEndpoint, new StringContent(""), CancellationToken.None);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(2 * 1024 * 1024, response.Content.Headers.ContentLength);
        Assert.Equal(2 * 1024 * 1024, body.Length);
    }

    [Fact]
    public async Task DropConnection_ClientSeesTransportError()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.GoogleSts, Fault.DropConnection(), times: 1);
        using HttpClient http = NewHttpClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsync(cloud.GoogleStsTokenUri, new StringContent("")));
        Assert.Null(cloud.Requests.For(EmulatedService.GoogleSts).Single().StatusCode);
    }

    [Fact]
    public async Task Hang_EndsWhenClientGivesUp_EvenWithFrozenEmulatorClock()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.AwsSts, Fault.Hang(), times: 1);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMilliseconds(300) };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => http.PostAsync(cloud.AwsStsEndpoint, new StringContent("")));
    }

    [Fact]
    public async Task Hang_EndsWhenEmulatorIsDisposed()
    {
        CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.AwsSts, Fault.Hang(), times: 1);
        using HttpClient http = NewHttpClient();
        Task<HttpResponseMessage> pending = http.PostAsync(cloud.AwsStsEndpoint, new StringContent(""));
        while (cloud.Requests.Count == 0)
        {
            await Task.Yield();
        }

        await cloud.DisposeAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task Delay_ThenServiceAnswers()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.Delay(TimeSpan.FromMilliseconds(50)), times: 1);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage response = await PutTokenAsync(http, cloud);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequestLog_RecordsFormFieldsStatusAndErrorCode()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        string token = Testing.Oidc.OidcIssuer.Tamper(cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        await Aws.AwsStsWebIdentityTests.AssumeAsync(cloud, CiRoleArn, token);

        Hosting.RecordedRequest request = cloud.Requests.For(EmulatedService.AwsSts).Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("AssumeRoleWithWebIdentity", request.Form["Action"]);
        Assert.Equal(token, request.Form["WebIdentityToken"]);
        Assert.Equal(HttpStatusCode.BadRequest, request.StatusCode);
        Assert.Equal("InvalidIdentityToken", request.ErrorCode);
        Assert.Equal(_clock.GetUtcNow(), request.ReceivedAt);
    }

    [Fact]
    public void Add_InvalidArguments_Throw()
    {
        var injector = new FaultInjector();

        Assert.Throws<ArgumentOutOfRangeException>(() => injector.Add(EmulatedService.AwsSts, Fault.DropConnection(), times: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => injector.Add(EmulatedService.AwsSts, Fault.DropConnection(), probability: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Fault.Delay(TimeSpan.FromSeconds(-1)));
    }

    private static async Task<HttpResponseMessage> PutTokenAsync(HttpClient http, CloudEmulator cloud)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(cloud.InstanceMetadataEndpoint, "latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");
        return await http.SendAsync(request);
    }
}
