using System.Security.Cryptography;

namespace CrossCloudAuth.Testing.Google.Storage;

/// <summary>One immutable generation of an object, with its checksums computed once.</summary>
internal sealed class StorageObject
{
    public StorageObject(string name, byte[] content, string contentType, long generation, DateTimeOffset created, IReadOnlyDictionary<string, string>? metadata)
    {
        Name = name;
        Content = content;
        ContentType = contentType;
        Generation = generation;
        Created = created;
        Metadata = metadata;
#pragma warning disable CA5351 // Cloud Storage publishes MD5 as a checksum, not for security.
        Md5 = Convert.ToBase64String(MD5.HashData(content));
#pragma warning restore CA5351
        Crc32c = Crc32C.Base64(content);
        Etag = Convert.ToBase64String(SHA256.HashData([.. content, .. BitConverter.GetBytes(generation)])[..8]);
    }

    public string Name { get; }

    public byte[] Content { get; }

    public string ContentType { get; }

    public long Generation { get; }

    public DateTimeOffset Created { get; }

    /// <summary>Gets the user metadata (<c>metadata</c> in the JSON API, <c>x-goog-meta-*</c> in XML), or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    public string Md5 { get; }

    public string Crc32c { get; }

    public string Etag { get; }
}
