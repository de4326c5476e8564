using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;

namespace CrossCloudAuth.Benchmarks.Aws;

/// <summary>
/// Signing the <c>aws4_request</c> subject token's <c>GetCallerIdentity</c> request: AWSSDK.Core's standalone
/// <see cref="AWSSigV4Signer"/> (the baseline) against this library's signer, for the same request, credentials and
/// time. The SDK signer also signs <c>x-amz-content-sha256</c>; the serialized variants add the URL-encoded JSON that
/// Google's STS expects, so <c>Sdk_SignAndSerialize</c> and <c>Ours_CreateSubjectToken</c> produce the same kind of token.
/// </summary>
[MemoryDiagnoser]
public class SubjectTokenSigningBenchmarks
{
    private const string Url = "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15";
    private const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/aws";
    private const string KeyId = "ASIARD4OQDT6A77FR3CL";
    private const string Secret = "Y8AfSaucF37G4PpvfguKZ3/l7Id4uocLXxX0+VTx";
    private const string Token = "IQoJb3JpZ2luX2VjEIz//////////wEaCXVzLWVhc3QtMiJGMEQCIH7MHX/Oy/OB8OlLQa9GrqU1B914+iMikqWQW7vPCKlgAiA/Lsv8Jcafn14owfxXn95FURZNKaaphj0ykpmS+Ki+CSq0AwhlEAAaDDA3NzA3MTM5MTk5NiIMx9sAeP1ovlMTMKLjKpEDwuJQg41/QUKx0laTZYjPlQvjwSqS3OB9P1KAXPWSLkliVMMqaHqelvMF/WO/glv3KwuTfQsavRNs3v5pcSEm4SPO3l7mCs7KrQUHwGP0neZhIKxEXy+Ls//1C/Bqt53NL+LSbaGv6RPHaX82laz2qElphg95aVLdYgIFY6JWV5fzyjgnhz0DQmy62/Vi8pNcM2/VnxeCQ8CC8dRDSt52ry2v+nc77vstuI9xV5k8mPtnaPoJDRANh0bjwY5Sdwkbp+mGRUJBAQRlNgHUJusefXQgVKBCiyJY4w3Csd8Bgj9IyDV+Azuy1jQqfFZWgP68LSz5bURyIjlWDQunO82stZ0BgplKKAa/KJHBPCp8Qi6i99uy7qh76FQAqgVTsnDuU6fGpHDcsDSGoCls2HgZjZFPeOj8mmRhFk1Xqvkbjuz8V1cJk54d3gIJvQt8gD2D6yJQZecnuGWd5K2e2HohvCc8Fc9kBl1300nUJPV+k4tr/A5R/0QfEKOZL1/k5lf1g9CREnrM8LVkGxCgdYMxLQow1uTL+QU67AHRRSp5PhhGX4Rek+01vdYSnJCMaPhSEgcLqDlQkhk6MPsyT91QMXcWmyO+cAZwUPwnRamFepuP4K8k2KVXs/LIJHLELwAZ0ekyaS7CptgOqS7uaSTFG3U+vzFZLEnGvWQ7y9IPNQZ+Dffgh4p3vF4J68y9049sI6Sr5d5wbKkcbm8hdCDHZcv4lnqohquPirLiFQ3q7B17V9krMPu3mz1cg4Ekgcrn/E09NTsxAqD8NcZ7C7ECom9r+X3zkDOxaajW6hu3Az";

    private static readonly DateTimeOffset s_signedAt = new(2020, 8, 11, 6, 55, 22, TimeSpan.Zero);
    private static readonly Uri s_uri = new(Url);
    private static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly AwsCredentials _ours = new(KeyId, Secret, Token, s_signedAt.AddHours(1));
    private readonly AWSSigV4Parameters _sdkParameters = new()
    {
        Credentials = new SessionAWSCredentials(KeyId, Secret, Token),
        Region = Amazon.RegionEndpoint.USEast2,
        Service = "sts",
        SignedAt = s_signedAt.UtcDateTime,
    };

    [Benchmark(Baseline = true)]
    public AWSSigningResult Sdk_Sign() => AWSSigV4Signer.Sign(NewSdkRequest(), _sdkParameters);

    [Benchmark]
    public string Sdk_SignAndSerialize()
    {
        AWSSigningResult result = AWSSigV4Signer.Sign(NewSdkRequest(), _sdkParameters);
        return Serialize(
        [
            new("host", s_uri.Authority),
            new("x-amz-date", result.Headers["X-Amz-Date"]),
            new("x-amz-content-sha256", result.Headers["X-Amz-Content-SHA256"]),
            new("x-amz-security-token", Token),
            new("x-goog-cloud-target-resource", Audience),
            new("Authorization", result.Headers["Authorization"]),
        ]);
    }

    [Benchmark]
    public string Ours_Sign() => SigV4Signer.Sign(
        "POST",
        s_uri,
        [
            new("host", s_uri.Authority),
            new("x-amz-date", SigV4Signer.FormatAmzDate(s_signedAt)),
            new("x-amz-security-token", Token),
            new("x-goog-cloud-target-resource", Audience),
        ],
        SigV4Signer.EmptyPayloadHash,
        KeyId,
        Secret,
        "us-east-2",
        "sts",
        s_signedAt).Authorization;

    [Benchmark]
    public string Ours_CreateSubjectToken() => AwsSubjectToken.Create(_ours, "us-east-2", Audience, s_signedAt);

    private static AWSSigningRequest NewSdkRequest()
    {
        AWSSigningRequest request = new() { HttpMethod = HttpMethod.Post, RequestUri = s_uri };
        request.Headers["x-goog-cloud-target-resource"] = Audience;
        return request;
    }

    private static string Serialize(KeyValuePair<string, string>[] headers)
    {
        ArrayBufferWriter<byte> buffer = new(2048);
        using (Utf8JsonWriter writer = new(buffer, s_json))
        {
            writer.WriteStartObject();
            writer.WriteString("url", Url);
            writer.WriteString("method", "POST");
            writer.WriteStartArray("headers");
            foreach (KeyValuePair<string, string> header in headers)
            {
                writer.WriteStartObject();
                writer.WriteString("key", header.Key);
                writer.WriteString("value", header.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Uri.EscapeDataString(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
