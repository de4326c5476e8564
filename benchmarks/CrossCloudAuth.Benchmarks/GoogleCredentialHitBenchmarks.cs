using BenchmarkDotNet.Attributes;
using CrossCloudAuth.Google;
using CrossCloudAuth.Google.Apis;
using Google.Apis.Auth.OAuth2;

namespace CrossCloudAuth.Benchmarks;

/// <summary>
/// The hot path every Google API request takes: <c>ICredential.GetAccessTokenForRequestAsync</c> with a fresh token
/// cached. Baseline: Google.Apis.Auth's own external-account credential (impersonated, warmed), whose
/// <c>TokenRefreshManager</c> takes a lock and allocates on every call. Compare ratios, not absolute numbers.
/// </summary>
[MemoryDiagnoser]
public class GoogleCredentialHitBenchmarks
{
    private readonly FakeGoogleHandler _handler = new();
    private HttpClient? _httpClient;
    private GoogleFederatedCredential? _federated;
    private ICredential? _ours;
    private ICredential? _googles;

    [GlobalSetup]
    public void Setup()
    {
        _httpClient = new HttpClient(_handler, disposeHandler: false);
        _federated = GoogleBenchmarkSetup.Ours(_httpClient);
        _ours = new GoogleApisCredential(_federated);
        _googles = GoogleBenchmarkSetup.Googles(_handler);

        // Warm both caches: every measured call is a hit.
        _ = _ours.GetAccessTokenForRequestAsync().GetAwaiter().GetResult();
        _ = _googles.GetAccessTokenForRequestAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _federated?.Dispose();
        _httpClient?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Google.Apis.Auth ProgrammaticExternalAccountCredential (cached)")]
    public Task<string> GoogleApisAuth() => _googles!.GetAccessTokenForRequestAsync();

    [Benchmark(Description = "CrossCloudAuth GoogleApisCredential (cached)")]
    public Task<string> CrossCloudAuth() => _ours!.GetAccessTokenForRequestAsync();
}
