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

    [Fact]
    public async Task ResetConnection_ClientSeesConnectionReset()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        FaultRule rule = cloud.Faults.Add(EmulatedService.GoogleSts, Fault.ResetConnection(), times: 1);
        using HttpClient http = NewHttpClient();

        HttpRequestException error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.PostAsync(cloud.GoogleStsTokenUri, new StringContent("")));

        Assert.Contains(Chain(error), e => e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset });
        Assert.Equal(1, rule.AppliedCount);
        Assert.Null(cloud.Requests.For(EmulatedService.GoogleSts).Single().StatusCode);
    }

    [Fact]
    public async Task EndlessBody_StreamsUntilClientStopsReading_ThenServesNextRequest()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.AwsSts, Fault.EndlessBody(), times: 1);
        using HttpClient http = NewHttpClient();
        const int Enough = 4 * 1024 * 1024;

        using (HttpResponseMessage response = await PostHeadersOnlyAsync(http, cloud.AwsStsEndpoint))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Content.Headers.ContentLength);
            await using Stream body = await response.Content.ReadAsStreamAsync();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            while (total < Enough)
            {
                int read = await body.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                total += read;
            }
        }

        using HttpResponseMessage next = await PutTokenAsync(http, cloud);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task EndlessBody_EndsWhenEmulatorIsDisposed()
    {
        CloudEmulator cloud = await StartAwsAsync(_clock);
        FaultRule rule = cloud.Faults.Add(EmulatedService.AwsSts, Fault.EndlessBody(), times: 1);
        using HttpClient http = NewHttpClient();
        using HttpResponseMessage response = await PostHeadersOnlyAsync(http, cloud.AwsStsEndpoint);
        await rule.WaitForAppliedAsync();

        await cloud.DisposeAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task WrongContentType_KeepsStatusAndBody()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.WrongContentType(), times: 1);
        using HttpClient http = NewHttpClient();

        using HttpResponseMessage faulted = await PutTokenAsync(http, cloud);
        using HttpResponseMessage normal = await PutTokenAsync(http, cloud);

        Assert.Equal(HttpStatusCode.OK, faulted.StatusCode);
        Assert.Equal("text/html", faulted.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/plain", normal.Content.Headers.ContentType?.MediaType);
        Assert.Equal((await normal.Content.ReadAsStringAsync()).Length, (await faulted.Content.ReadAsStringAsync()).Length);
    }

    [Fact]
    public async Task ExpiredToken_ImdsCredentials_ExpirationInThePast()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b => b.ConfigureInstanceMetadata(m => m.AllowImdsV1()));
        cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.ExpiredToken(), pathContains: "/security-credentials/node-role");
        using HttpClient http = NewHttpClient();

        using System.Text.Json.JsonDocument credentials = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/iam/security-credentials/node-role")));

        Assert.Equal("2026-11-23T11:55:00Z", credentials.RootElement.GetProperty("Expiration").GetString());
        Assert.StartsWith("ASIA", credentials.RootElement.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenLifetime_Huge_ClampsAbsoluteExpiryToYear9999()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock, b => b.ConfigureInstanceMetadata(m => m.AllowImdsV1()));
        cloud.Faults.Add(EmulatedService.InstanceMetadata, Fault.TokenLifetime(TimeSpan.MaxValue));
        using HttpClient http = NewHttpClient();

        using System.Text.Json.JsonDocument credentials = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(cloud.InstanceMetadataEndpoint, "latest/meta-data/iam/security-credentials/node-role")));

        Assert.Equal("9999-12-31T23:59:59Z", credentials.RootElement.GetProperty("Expiration").GetString());
    }

    [Fact]
    public async Task MissingExpiry_AwsStsXml_ExpirationRemoved()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        cloud.Faults.Add(EmulatedService.AwsSts, Fault.MissingExpiry(), times: 1);
        string token = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        StsResponse response = await Aws.AwsStsWebIdentityTests.AssumeAsync(cloud, CiRoleArn, token);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response["SessionToken"]);
        Assert.Null(response["Expiration"]);
    }

    [Theory]
    [InlineData(-600, -600L)]
    [InlineData(0, 0L)]
    [InlineData(315_360_000, 315_360_000L)]
    public async Task TokenLifetime_GoogleSts_RewritesExpiresIn(int seconds, long expected)
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        cloud.Faults.Add(EmulatedService.GoogleSts, Fault.TokenLifetime(TimeSpan.FromSeconds(seconds)), times: 1);
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        JsonResponse response = await GoogleCalls.ExchangeAsync(cloud, OidcAudience, subject, GoogleCalls.JwtType);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(expected, response.Body.GetProperty("expires_in").GetInt64());
    }

    [Fact]
    public async Task MissingExpiry_GoogleSts_ExpiresInRemoved_AndErrorsPassUnchanged()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        cloud.Faults.Add(EmulatedService.GoogleSts, Fault.MissingExpiry());
        string subject = cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner");

        JsonResponse ok = await GoogleCalls.ExchangeAsync(cloud, OidcAudience, subject, GoogleCalls.JwtType);
        JsonResponse refused = await GoogleCalls.ExchangeAsync(cloud, OidcAudience, Testing.Oidc.OidcIssuer.Tamper(subject), GoogleCalls.JwtType);

        Assert.False(string.IsNullOrEmpty(ok.String("access_token")));
        Assert.False(ok.Body.TryGetProperty("expires_in", out _));
        Assert.Equal("invalid_grant", refused.String("error"));
    }

    [Fact]
    public async Task ExpiredToken_IamCredentials_RewritesExpireTime()
    {
        await using CloudEmulator cloud = await StartAllAsync(_clock);
        cloud.Faults.Add(EmulatedService.IamCredentials, Fault.ExpiredToken(), times: 1);
        string federated = await GoogleCalls.FederatedTokenAsync(cloud, OidcAudience, cloud.GetOidcIssuer("eks").MintServiceAccountToken("ci", "runner"));

        JsonResponse response = await GoogleCalls.GenerateAccessTokenAsync(cloud, ServiceAccount, federated);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("2026-11-23T11:55:00Z", response.String("expireTime"));
    }

    [Fact]
    public async Task WaitForAppliedAsync_CompletesWhenHangHoldsTheRequest()
    {
        await using CloudEmulator cloud = await StartAwsAsync(_clock);
        FaultRule rule = cloud.Faults.Add(EmulatedService.AwsSts, Fault.Hang());
        using HttpClient http = NewHttpClient();
        using var giveUp = new CancellationTokenSource();
        Task<HttpResponseMessage> pending = http.PostAsync(cloud.AwsStsEndpoint, new StringContent(""), giveUp.Token);

        await rule.WaitForAppliedAsync(1);
        Task second = rule.WaitForAppliedAsync(2);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.False(second.IsCompleted);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => rule.WaitForAppliedAsync(0));
    }

    [Fact]
    public void Factories_DescribeThemselves()
    {
        Assert.Equal("TokenLifetime(-00:05:00)", Fault.ExpiredToken().ToString());
        Assert.Equal("WrongContentType(text/html; charset=utf-8)", Fault.WrongContentType().ToString());
        Assert.Equal(FaultKind.ResetConnection, Fault.ResetConnection().Kind);
        Assert.Equal(FaultKind.EndlessBody, Fault.EndlessBody().Kind);
        Assert.Equal(FaultKind.MissingExpiry, Fault.MissingExpiry().Kind);
        Assert.Throws<ArgumentException>(() => Fault.WrongContentType(" "));
    }

    private static async Task<HttpResponseMessage> PostHeadersOnlyAsync(HttpClient http, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent("") };
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static async Task<HttpResponseMessage> PutTokenAsync(HttpClient http, CloudEmulator cloud)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(cloud.InstanceMetadataEndpoint, "latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");
        return await http.SendAsync(request);
    }
}
