using System.Text;

namespace CrossCloudAuth.Testing.Google;

/// <summary>A Cloud Storage bucket: its objects and who may read them.</summary>
public sealed class BucketBuilder
{
    private readonly List<StoredObject> _objects = [];
    private readonly HashSet<string> _viewers = new(StringComparer.Ordinal);

    internal BucketBuilder(string name)
    {
        Name = name;
    }

    /// <summary>Gets the bucket name.</summary>
    public string Name { get; }

    internal IReadOnlyList<StoredObject> Objects => _objects;

    internal IReadOnlySet<string> Viewers => _viewers;

    /// <summary>Adds a text object.</summary>
    /// <param name="name">The object name (may contain <c>/</c>).</param>
    /// <param name="content">The content, stored as UTF-8 with content type <c>text/plain</c>.</param>
    /// <returns>This builder.</returns>
    public BucketBuilder AddObject(string name, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return AddObject(name, Encoding.UTF8.GetBytes(content), "text/plain");
    }

    /// <summary>Adds a binary object.</summary>
    /// <param name="name">The object name.</param>
    /// <param name="content">The content.</param>
    /// <param name="contentType">The content type.</param>
    /// <returns>This builder.</returns>
    public BucketBuilder AddObject(string name, byte[] content, string contentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(content);
        _objects.Add(new StoredObject(name, [.. content], contentType));
        return this;
    }

    /// <summary>Grants <c>roles/storage.objectViewer</c> on the bucket to <paramref name="member"/> (<c>serviceAccount:…</c>, <c>principal://…</c>, <c>principalSet://…</c>).</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public BucketBuilder GrantObjectViewer(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        _viewers.Add(member);
        return this;
    }

    internal sealed record StoredObject(string Name, byte[] Content, string ContentType);
}
