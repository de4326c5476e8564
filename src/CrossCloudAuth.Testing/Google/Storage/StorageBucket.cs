namespace CrossCloudAuth.Testing.Google.Storage;

/// <summary>A bucket while the emulator runs: its IAM (fixed at start) and its objects (changed by uploads and deletes).
/// Thread-safe: readers take a snapshot under the lock; each write replaces one immutable <see cref="StorageObject"/>.</summary>
internal sealed class StorageBucket
{
    private readonly SortedDictionary<string, StorageObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _lastGeneration;

    public StorageBucket(BucketBuilder builder, DateTimeOffset created)
    {
        Builder = builder;
        Created = created;
        foreach (BucketBuilder.StoredObject seed in builder.Objects)
        {
            _objects[seed.Name] = new StorageObject(seed.Name, seed.Content, seed.ContentType, NextGeneration(created), created, null);
        }
    }

    public BucketBuilder Builder { get; }

    public string Name => Builder.Name;

    public DateTimeOffset Created { get; }

    public StorageObject? Find(string name)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(name);
        }
    }

    /// <summary>Returns the objects whose names start with <paramref name="prefix"/>, in name order.</summary>
    public StorageObject[] Snapshot(string prefix)
    {
        lock (_lock)
        {
            return [.. _objects.Values.Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal))];
        }
    }

    /// <summary>Stores a new generation of <paramref name="name"/> when <paramref name="precondition"/> accepts the
    /// current one (<see langword="null"/> when absent); returns the stored object, or <see langword="null"/> when the
    /// precondition failed.</summary>
    public StorageObject? Put(string name, byte[] content, string contentType, IReadOnlyDictionary<string, string>? metadata, DateTimeOffset now, Func<StorageObject?, bool> precondition)
    {
        lock (_lock)
        {
            if (!precondition(_objects.GetValueOrDefault(name)))
            {
                return null;
            }

            var stored = new StorageObject(name, content, contentType, NextGeneration(now), now, metadata);
            _objects[name] = stored;
            return stored;
        }
    }

    /// <summary>Deletes <paramref name="name"/> when it exists and <paramref name="precondition"/> accepts it.</summary>
    public (bool Found, bool Deleted) Delete(string name, Func<StorageObject, bool> precondition)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(name, out StorageObject? current))
            {
                return (false, false);
            }

            if (!precondition(current))
            {
                return (true, false);
            }

            _objects.Remove(name);
            return (true, true);
        }
    }

    // Generations are microsecond timestamps, strictly increasing within the bucket, as in Cloud Storage.
    private long NextGeneration(DateTimeOffset now)
    {
        long micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        _lastGeneration = Math.Max(micros, _lastGeneration + 1);
        return _lastGeneration;
    }
}
