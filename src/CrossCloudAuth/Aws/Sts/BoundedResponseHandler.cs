using System.Net;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Caps the body of every response that AWSSDK.SecurityToken reads: the content is replaced by one whose stream fails
/// past <see cref="MaxBytes"/> (and whose reads also observe the request's cancellation, so a body that stalls after
/// the headers cannot outlive the attempt's deadline). The SDK otherwise reads whatever an endpoint sends: an endless
/// body once made it hold 2 GiB.
/// </summary>
internal sealed class BoundedResponseHandler(HttpMessageHandler inner, int maxBytes) : DelegatingHandler(inner)
{
    /// <summary>Gets the largest body accepted, in bytes.</summary>
    public int MaxBytes { get; } = maxBytes;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The SDK wraps (and sometimes drops) what a body stream throws, so the attempt also learns it from here.
        StsAttempt? attempt = StsAttempt.Current;
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is long declared && declared > MaxBytes)
        {
            response.Dispose();
            attempt?.MarkResponseTooLarge();
            throw new StsResponseTooLargeException(MaxBytes);
        }

        response.Content = new BoundedContent(response.Content, MaxBytes, attempt, cancellationToken);
        return response;
    }

    private sealed class BoundedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly int _maxBytes;
        private readonly CancellationToken _requestToken;
        private readonly StsAttempt? _attempt;

        public BoundedContent(HttpContent inner, int maxBytes, StsAttempt? attempt, CancellationToken requestToken)
        {
            _attempt = attempt;
            _inner = inner;
            _maxBytes = maxBytes;
            _requestToken = requestToken;
            foreach (KeyValuePair<string, IEnumerable<string>> header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            Stream source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        {
            Stream inner = await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new BoundedStream(inner, _maxBytes, _attempt, _requestToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A read-only stream that throws <see cref="StsResponseTooLargeException"/> once more than the cap was read.</summary>
    private sealed class BoundedStream(Stream inner, int maxBytes, StsAttempt? attempt, CancellationToken requestToken) : Stream
    {
        // A synchronous read (the SDK's XML reader makes them) cannot observe a token: closing the stream ends it.
        private readonly CancellationTokenRegistration _deadline = requestToken.Register(static s => ((Stream)s!).Dispose(), inner);
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            requestToken.ThrowIfCancellationRequested();
            return Count(inner.Read(buffer[..Allowed(buffer.Length)]));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!cancellationToken.CanBeCanceled || cancellationToken == requestToken)
            {
                return Count(await inner.ReadAsync(buffer[..Allowed(buffer.Length)], requestToken).ConfigureAwait(false));
            }

            using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestToken);
            return Count(await inner.ReadAsync(buffer[..Allowed(buffer.Length)], linked.Token).ConfigureAwait(false));
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _deadline.Dispose();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Reads at most one byte past the cap, which is enough to tell that the body is too large.</summary>
        private int Allowed(int requested)
        {
            long left = maxBytes + 1L - _read;
            if (left <= 0)
            {
                attempt?.MarkResponseTooLarge();
                throw new StsResponseTooLargeException(maxBytes);
            }

            return (int)Math.Min(requested, left);
        }

        private int Count(int read)
        {
            _read += read;
            if (_read > maxBytes)
            {
                attempt?.MarkResponseTooLarge();
                throw new StsResponseTooLargeException(maxBytes);
            }

            return read;
        }
    }
}

/// <summary>What the HTTP layer learned during one STS attempt, flowing to it through the async context.</summary>
internal sealed class StsAttempt
{
    private static readonly AsyncLocal<StsAttempt?> s_current = new();
    private int _responseTooLarge;

    /// <summary>Gets the attempt running in this async flow, if any.</summary>
    public static StsAttempt? Current => s_current.Value;

    /// <summary>Gets a value indicating whether a response body went past the cap.</summary>
    public bool ResponseTooLarge => Volatile.Read(ref _responseTooLarge) != 0;

    /// <summary>Starts an attempt in the current async flow (and the calls it makes).</summary>
    public static StsAttempt Begin()
    {
        StsAttempt attempt = new();
        s_current.Value = attempt;
        return attempt;
    }

    public void MarkResponseTooLarge() => Volatile.Write(ref _responseTooLarge, 1);
}

/// <summary>A response from STS was larger than the cap; mapped to an <see cref="CredentialRequestFailedException"/>
/// naming the hop by <see cref="StsErrors"/>.</summary>
internal sealed class StsResponseTooLargeException(int maxBytes)
    : IOException($"The response is larger than the {maxBytes} bytes accepted.")
{
    public int MaxBytes { get; } = maxBytes;
}

/// <summary>Hands every request to another <see cref="HttpClient"/> (the one a user supplied), so that our handlers can
/// sit in front of it. A request message is sent once per client, so each is copied (headers, options, same content).</summary>
internal sealed class ForwardingHandler(HttpClient client) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpRequestMessage copy = new(request.Method, request.RequestUri)
        {
            Content = request.Content,
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (KeyValuePair<string, object?> option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        return client.SendAsync(copy, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
