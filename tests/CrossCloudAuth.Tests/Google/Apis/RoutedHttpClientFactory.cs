using Google.Apis.Http;

namespace CrossCloudAuth.Tests.Google.Apis;

/// <summary>A Google.Apis HTTP client factory whose clients send through a test handler.</summary>
internal sealed class RoutedHttpClientFactory(HttpMessageHandler handler) : HttpClientFactory
{
    protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new NonDisposingHandler(handler);

    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The test owns the inner handler.
        }
    }
}
