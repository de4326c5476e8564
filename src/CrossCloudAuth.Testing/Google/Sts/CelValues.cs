using System.Text.Json;

namespace CrossCloudAuth.Testing.Google.Sts;

/// <summary>Turns JWT claims into the values <see cref="CelExpression"/> evaluates over.</summary>
internal static class CelValues
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
