using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Tests.TestDoubles;
using CrossCloudAuth.Http;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Fuzzing.Aws.Sources;

/// <summary>ECS / EKS Pod Identity: the authorization token file and the credential endpoint's answer, together.</summary>
public sealed class ContainerCredentialSourceFuzzTests
{
    private const string TokenFile = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token";
    private const string Secret = "fuzzSECRETcontainerKEY000000000000000000";
    private static readonly DateTimeOffset s_now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Gen<JsonObject> s_document = Gen.Int[1, 720].Select(minutes => new JsonObject
    {
        ["AccessKeyId"] = "ASIAFUZZCONTAINER001",
        ["SecretAccessKey"] = Secret,
        ["Token"] = "fuzzSESSIONcontainer",
        ["Expiration"] = s_now.AddMinutes(minutes).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    });

    private static readonly Gen<byte[]> s_tokenFile = Gen.OneOf(
        Gen.Const(() => "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln\n"u8.ToArray()),
        Hostile.Bytes,
        Hostile.Text.Select(Hostile.Utf8));

    [Fact]
    public async Task GetAsync_HostileTokenFileAndResponse_ThrowsOnlyTheLibrarysExceptions()
    {
        FixedResponseHandler http = new();
        FakeSystemEnvironment environment = new FakeSystemEnvironment()
            .Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials")
            .Set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", TokenFile);
        ContainerCredentialSource source = new(new ContainerCredentialSourceOptions { HttpClient = http.CreateClient(), Retry = new HopRetryOptions { MaxAttempts = 1 } }, environment, new FakeTimeProvider(s_now));
        Gen<(byte[], HttpStatusCode, byte[])> cases =
            from token in s_tokenFile
            from status in Gen.OneOf(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.InternalServerError)
            from body in Hostile.Documents(s_document)
            select (token, status, body);
        await Fuzz.CheckAsync(cases, async input =>
        {
            environment.WithFile(TokenFile, input.Item1);
            (http.Status, http.Body) = (input.Item2, input.Item3);
            (bool ok, AwsCredentials? credentials) = await Expect.ParsesAsync(() => source.GetAsync().AsTask(), [Secret]);
            if (ok)
            {
                Assert.True(credentials!.ExpiresOn > s_now);
            }
        }, baseCount: 300, print: input => $"token {Fuzz.Printable(input.Item1)} | {(int)input.Item2} {Fuzz.Printable(input.Item3)}");
    }
}
