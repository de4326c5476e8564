namespace CrossCloudAuth.Aws;

/// <content>Who disposes what. A link holds one reference for its own handle plus one per live link built from it.
/// The first link built from it takes over the handle (so that <c>FromWebIdentity().AssumeRole(…)</c>, whose first link
/// nobody keeps, is freed with the second); later ones add a reference. The link is freed, with its hop and what it
/// handed out, when the count reaches zero, and then releases the link it was built from. Not on the hot path: a
/// lock is fine here.</content>
public sealed partial class AwsCredentialChain
{
    private readonly Lock _gate = new();
    private readonly List<IDisposable> _handedOut = [];
    private int _references = 1;
    private bool _handleHeld = true;
    private bool _freed;
    private int _disposed;

    /// <summary>Disposes this link: at once when no link built from it is alive, otherwise with the last of them. The
    /// link then refuses new calls; what it owns (its hop, <see cref="SdkCredentials"/>, the EKS token caches and
    /// Google credentials it created) is disposed when it is freed, and so is the link it was built from, when this
    /// link was the last one keeping it. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        bool release;
        lock (_gate)
        {
            release = _handleHeld;
            _handleHeld = false;
        }

        if (release)
        {
            ReleaseLink();
        }
    }

    /// <summary>Gets a value indicating whether this link's hop and what it handed out have been disposed.</summary>
    internal bool IsFreed
    {
        get
        {
            lock (_gate)
            {
                return _freed;
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Records a link built from this one.</summary>
    private void AddLink()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_freed || Volatile.Read(ref _disposed) != 0, this);
            if (_handleHeld)
            {
                _handleHeld = false;
            }
            else
            {
                _references++;
            }
        }
    }

    /// <summary>Drops one reference; frees this link at the last.</summary>
    private void ReleaseLink()
    {
        List<IDisposable> handedOut;
        lock (_gate)
        {
            if (--_references > 0)
            {
                return;
            }

            _freed = true;
            Volatile.Write(ref _disposed, 1);
            handedOut = [.. _handedOut];
            _handedOut.Clear();
        }

        foreach (IDisposable item in handedOut)
        {
            item.Dispose();
        }

        _ownedCache?.Dispose();
        _ownedSource?.Dispose();
        _parent?.ReleaseLink();
    }

    /// <summary>Keeps something this link handed out, to dispose it with the link (at once if the link is already freed).</summary>
    private void Own(IDisposable item)
    {
        lock (_gate)
        {
            if (!_freed)
            {
                _handedOut.Add(item);
                return;
            }
        }

        item.Dispose();
        ObjectDisposedException.ThrowIf(true, this);
    }
}
