namespace CrossCloudAuth.Tests.TestDoubles;

/// <summary>A body that never ends: <c>prefix</c> then endless <c>A</c>s (or, with <c>stall</c>, not a byte: reads block
/// until canceled or until the stream is disposed, as a socket's do), counting what was read from it.</summary>
internal sealed class EndlessStream(string prefix = "", bool stall = false) : Stream
{
    private readonly byte[] _prefix = System.Text.Encoding.UTF8.GetBytes(prefix);
    private readonly ManualResetEventSlim _disposed = new();
    private long _bytesRead;

    /// <summary>Gets how many bytes readers took from this stream.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (stall)
        {
            _disposed.Wait();
            throw new ObjectDisposedException(nameof(EndlessStream));
        }

        long position = BytesRead;
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = position + i < _prefix.Length ? _prefix[(int)(position + i)] : (byte)'A';
        }

        Interlocked.Add(ref _bytesRead, buffer.Length);
        return buffer.Length;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (stall)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed.Set();
        base.Dispose(disposing);
    }
}
