using System.Text;

namespace CrossCloudAuth.Testing.Google;

/// <summary>A Cloud Storage bucket: its initial objects and who may do what with them (bucket-level IAM).</summary>
public sealed class BucketBuilder
{
    /// <summary>The predefined Cloud Storage roles the emulator evaluates, with the permissions it checks.</summary>
    private static readonly Dictionary<string, string[]> RolePermissions = new(StringComparer.Ordinal)
    {
        ["roles/storage.objectViewer"] = ["storage.objects.get", "storage.objects.list"],
        ["roles/storage.objectCreator"] = ["storage.objects.create"],
        ["roles/storage.objectUser"] = ["storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete"],
        ["roles/storage.objectAdmin"] = ["storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete"],
        ["roles/storage.legacyBucketReader"] = ["storage.buckets.get", "storage.objects.list"],
        ["roles/storage.admin"] = ["storage.buckets.get", "storage.objects.get", "storage.objects.list", "storage.objects.create", "storage.objects.delete"],
    };

    private readonly List<StoredObject> _objects = [];
    private readonly List<(string Role, string Member)> _bindings = [];

    internal BucketBuilder(string name)
    {
        Name = name;
    }

    /// <summary>Gets the bucket name.</summary>
    public string Name { get; }

    internal IReadOnlyList<StoredObject> Objects => _objects;

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

    /// <summary>Grants <c>roles/storage.objectViewer</c> (list and read objects) on the bucket to <paramref name="member"/>
    /// (<c>serviceAccount:…</c>, <c>principal://…</c>, <c>principalSet://…</c>).</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public BucketBuilder GrantObjectViewer(string member) => GrantRole("roles/storage.objectViewer", member);

    /// <summary>Grants <c>roles/storage.objectAdmin</c> (list, read, create, overwrite and delete objects) on the bucket to
    /// <paramref name="member"/>.</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public BucketBuilder GrantObjectAdmin(string member) => GrantRole("roles/storage.objectAdmin", member);

    /// <summary>Grants a predefined Cloud Storage role on the bucket, as <c>gcloud storage buckets add-iam-policy-binding</c>
    /// does. The emulator knows <c>roles/storage.objectViewer</c> (<c>storage.objects.get</c>, <c>.list</c>),
    /// <c>roles/storage.objectCreator</c> (<c>.create</c> only: it cannot overwrite, which also needs <c>.delete</c>),
    /// <c>roles/storage.objectUser</c> and <c>roles/storage.objectAdmin</c> (get, list, create, delete),
    /// <c>roles/storage.legacyBucketReader</c> (<c>storage.buckets.get</c>, <c>storage.objects.list</c>) and
    /// <c>roles/storage.admin</c> (all of these).</summary>
    /// <param name="role">The role, e.g. <c>roles/storage.objectCreator</c>.</param>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The role is not one the emulator evaluates, or an argument is empty.</exception>
    public BucketBuilder GrantRole(string role, string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        ArgumentException.ThrowIfNullOrEmpty(member);
        if (!RolePermissions.ContainsKey(role))
        {
            throw new ArgumentException($"The emulator does not evaluate the role '{role}'. Use one of: {string.Join(", ", RolePermissions.Keys)}.", nameof(role));
        }

        _bindings.Add((role, member));
        return this;
    }

    /// <summary>Returns the IAM members holding <paramref name="permission"/> on the bucket.</summary>
    internal IEnumerable<string> MembersWith(string permission) =>
        _bindings.Where(b => RolePermissions[b.Role].Contains(permission, StringComparer.Ordinal)).Select(b => b.Member);

    internal sealed record StoredObject(string Name, byte[] Content, string ContentType);
}
