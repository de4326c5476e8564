namespace CrossCloudAuth.DependencyInjection;

/// <summary>Records that an identity name was registered, so that a repeated call adds nothing and the health
/// check knows every registered identity.</summary>
internal sealed record IdentityMarker(IdentityKind Kind, string Name, string? AwsName = null);

/// <summary>The kind of a registered identity.</summary>
internal enum IdentityKind
{
    Google,
    Aws,
    Eks,
}
