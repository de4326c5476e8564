using System.Net;
using System.Net.Http.Headers;

namespace CrossCloudAuth.Tests.Fuzzing;

/// <summary>Answers every request with the status and raw body bytes set for the current case.</summary>
internal sealed class FixedResponseHandler : HttpMessageHandler
{
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public byte[] Body { get; set; } = [];

    public string MediaType { get; set; } = "application/json";

    public HttpClient CreateClient() => new(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ByteArrayContent content = new(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        return Task.FromResult(new HttpResponseMessage(Status) { Content = content, RequestMessage = request });
    }
}
