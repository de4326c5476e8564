using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Google;
using Google.Apis.Auth.OAuth2;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// A cold exchange: build a credential and get the first token, i.e. subject token → STS token exchange →
/// IAM Credentials generateAccessToken, against an in-process fake of both services. Baseline: Google.Apis.Auth's
/// programmatic external-account credential doing the same exchange. Each side builds its own HTTP client over the
/// same handler. Compare ratios, not absolute numbers.
/// </summary>
[MemoryDiagnoser]
public class ColdExchangeBenchmarks
{
    private readonly FakeGoogleHandler _handler = new();

    [Benchmark(Baseline = true, Description = "Google.Apis.Auth ProgrammaticExternalAccountCredential (STS + impersonation)")]
    public async Task<string> GoogleApisAuth()
    {
        ProgrammaticExternalAccountCredential credential = GoogleBenchmarkSetup.Googles(_handler);
        return await ((ICredential)credential).GetAccessTokenForRequestAsync();
    }

    [Benchmark(Description = "CrossCloudAuth GoogleFederatedCredential (STS + impersonation)")]
    public async Task<string> CrossCloudAuth()
    {
        using HttpClient httpClient = new(_handler, disposeHandler: false);
        using GoogleFederatedCredential credential = GoogleBenchmarkSetup.Ours(httpClient);
        AuthToken token = await credential.GetAsync();
        return token.Token;
    }
}
