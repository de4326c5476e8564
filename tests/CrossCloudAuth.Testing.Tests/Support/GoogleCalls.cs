using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Testing.Tests.Support;

internal sealed record JsonResponse(HttpStatusCode Status, JsonElement Body, string Text)
{
    public string? String(string name) => Body.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public JsonElement Error => Body.GetProperty("error");

    public static async Task<JsonResponse> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return new JsonResponse(response.StatusCode, document.RootElement.Clone(), text);
    }

    /// <summary>Asserts the Google STS OAuth error shape.</summary>
    public void AssertOAuthError(HttpStatusCode status, string error)
    {
        Assert.True(status == Status, $"Expected {status}, got {Status}: {Text}");
        Assert.Equal(error, String("error"));
        Assert.False(string.IsNullOrEmpty(String("error_description")));
    }

    /// <summary>Asserts the Google API error envelope.</summary>
    public void AssertApiError(HttpStatusCode status, string grpcStatus)
    {
        Assert.True(status == Status, $"Expected {status}, got {Status}: {Text}");
        Assert.Equal((int)status, Error.GetProperty("code").GetInt32());
        Assert.Equal(grpcStatus, Error.GetProperty("status").GetString());
    }
}

/// <summary>Plain-HTTP calls to the Google side of the emulator, built the way the client libraries build them.</summary>
internal static class GoogleCalls
{
    public const string JwtType = "urn:ietf:params:oauth:token-type:jwt";
    public const string Aws4RequestType = "urn:ietf:params:aws:token-type:aws4_request";
    public const string CloudPlatform = "https://www.googleapis.com/auth/cloud-platform";

    public static async Task<JsonResponse> ExchangeAsync(CloudEmulator cloud, string audience, string subjectToken, string subjectTokenType, string? scope = CloudPlatform, string grantType = "urn:ietf:params:oauth:grant-type:token-exchange")
    {
        using HttpClient http = TestClouds.NewHttpClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["audience"] = audience,
            ["requested_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["subject_token"] = subjectToken,
            ["subject_token_type"] = subjectTokenType,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var content = new FormUrlEncodedContent(form);
        using HttpResponseMessage response = await http.PostAsync(cloud.GoogleStsTokenUri, content);
        return await JsonResponse.ReadAsync(response);
    }

    public static async Task<string> FederatedTokenAsync(CloudEmulator cloud, string audience, string subjectToken, string type = JwtType, string scope = CloudPlatform)
    {
        JsonResponse response = await ExchangeAsync(cloud, audience, subjectToken, type, scope);
        Assert.True(response.Status == HttpStatusCode.OK, response.Text);
        return response.String("access_token")!;
    }

    /// <summary>
    /// The <c>aws4_request</c> subject token: a GetCallerIdentity POST signed (by AWSSDK.Core's signer) with
    /// <c>x-goog-cloud-target-resource</c> among the signed headers, serialized as JSON and URL-encoded.
    /// </summary>
    public static async Task<string> Aws4RequestAsync(Uri stsEndpoint, AwsCredentials credentials, string audience, DateTimeOffset signedAt, Action<List<(string Key, string Value)>>? tamper = null)
    {
        var url = new Uri(stsEndpoint.AbsoluteUri + "?Action=GetCallerIdentity&Version=2011-06-15");
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = url, Content = [] };
        signing.Headers["x-goog-cloud-target-resource"] = audience;
        AWSSigningResult result = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken),
            Region = RegionEndpoint.USEast1,
            Service = "sts",
            SignedAt = signedAt.UtcDateTime,
        }, CancellationToken.None);

        var headers = new List<(string Key, string Value)>();
        foreach ((string key, string value) in result.Headers)
        {
            headers.Add((key, value));
        }

        if (!headers.Any(h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(("host", url.Authority));
        }

        if (!headers.Any(h => h.Key.Equals("x-goog-cloud-target-resource", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(("x-goog-cloud-target-resource", audience));
        }

        tamper?.Invoke(headers);
        var json = new JsonObject
        {
            ["url"] = url.AbsoluteUri,
            ["method"] = "POST",
            ["headers"] = new JsonArray([.. headers.Select(h => (JsonNode)new JsonObject { ["key"] = h.Key, ["value"] = h.Value })]),
        };
        return Uri.EscapeDataString(json.ToJsonString());
    }

    public static async Task<JsonResponse> GenerateAccessTokenAsync(CloudEmulator cloud, string email, string? bearer, string body = """{"scope":["https://www.googleapis.com/auth/cloud-platform"]}""")
    {
        using HttpClient http = TestClouds.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, cloud.ServiceAccountImpersonationUri(email))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return await JsonResponse.ReadAsync(response);
    }

    public static async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(Uri url, string? bearer)
    {
        using HttpClient http = TestClouds.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    public static async Task<JsonResponse> PostJsonAsync(Uri url, string? bearer, string json)
    {
        using HttpClient http = TestClouds.NewHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return await JsonResponse.ReadAsync(response);
    }
}
