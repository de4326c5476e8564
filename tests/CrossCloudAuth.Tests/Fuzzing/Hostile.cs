using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing;

/// <summary>
/// Generators of hostile input: random bytes and text, and structure-aware mutations of a valid JSON document (its
/// shape kept, one value replaced by something hostile: huge, negative or overflowing numbers, numbers as strings,
/// wrong types, deep nesting, huge strings, invalid UTF-8, NULs, duplicate keys), optionally followed by a byte-level
/// mutation (a BOM, truncation, an inserted NUL or invalid UTF-8 byte, a flipped byte). Every input stays under
/// <see cref="MaxInputBytes"/>, so each case does bounded work.
/// </summary>
internal static class Hostile
{
    public const int MaxInputBytes = 96 * 1024;

    private const string Marker = "HOSTILE_VALUE_MARKER_7f3a";

    private static readonly byte[] s_markerBytes = Encoding.UTF8.GetBytes($"\"{Marker}\"");

    /// <summary>Raw JSON (or almost-JSON) values, as bytes so that they may carry invalid UTF-8.</summary>
    private static readonly string[] s_numbers =
    [
        "0", "-0", "-1", "1", "00", "01", "1.5", "-1.5", "1e3", "1E+2", "1e-400", "1e308", "1e309", "-1e309", "2147483647", "2147483648",
        "-2147483648", "-2147483649", "4294967296", "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "253402300799", "253402300800", "-62135596800", "-62135596801",
        "99999999999999999999999999999999999999", "0.000000000000000000000000001", "NaN", "Infinity", "-Infinity", "0x10", "+1", ".5", "5.",
    ];

    private static readonly string[] s_numbersAsStrings =
    [
        "\"0\"", "\"-1\"", "\"9223372036854775807\"", "\"9223372036854775808\"", "\"253402300799\"", "\"253402300800\"", "\"1e3\"", "\" 5\"",
        "\"NaN\"", "\"Infinity\"", "\"2147483648\"", "\"-9223372036854775808\"", "\"1.5\"", "\"\"",
    ];

    private static readonly string[] s_wrongTypes =
    [
        "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "[\"x\"]", "{\"type\":\"json\"}", "tru", "nul", "[", "{", "]", "}", ",",
    ];

    private static readonly string[] s_strings =
    [
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\n\\r\\t\"", "\"\\\"\"",
        "\"\\\\\"", "\"\\x\"", "\"\\u12\"", "\"null\"", "\"true\"", "\"http://\"", "\"https://[::1\"", "\"//\"", "\"%00\"", "\"{region}\"",
        "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59-14:00\"", "\"0001-01-01T00:00:00+14:00\"",
        "\"2026-13-45T25:61:61Z\"", "\"2026-01-01T00:00:00.1234567890123Z\"", "\"external_account\"", "\"aws1\"", "\"json\"", "\"text\"",
        "\"ünïcødé ☃ 𝄞\"",
    ];

    private static readonly byte[][] s_invalidUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF0, 0x9F, 0x98],
    ];

    /// <summary>Random bytes, up to 512.</summary>
    public static Gen<byte[]> Bytes { get; } = Gen.Byte.Array[0, 512];

    /// <summary>Random text over an alphabet rich in JSON, XML, INI and JWT punctuation, up to 512 characters.</summary>
    public static Gen<string> Text { get; } = Gen.OneOf(
        Gen.String[Gen.Char["{}[]\":,0123456789.-+eE truefalsn\\/\t\r\nu<>=#;_aZ\0"], 0, 512],
        Gen.String[0, 256]);

    /// <summary>One hostile JSON value, as UTF-8 bytes (possibly not valid UTF-8, possibly not valid JSON).</summary>
    public static Gen<byte[]> Value { get; } = Gen.Frequency(
        (4, Gen.OneOf(s_numbers).Select(Utf8)),
        (2, Gen.OneOf(s_numbersAsStrings).Select(Utf8)),
        (3, Gen.OneOf(s_wrongTypes).Select(Utf8)),
        (3, Gen.OneOf(s_strings).Select(Utf8)),
        (2, Gen.OneOf(s_invalidUtf8).Select(bad => Concat("\"a"u8.ToArray(), bad, "b\""u8.ToArray()))),
        (1, Gen.Const(() => "\"a\0b\""u8.ToArray())),
        (1, Gen.Int[1_000, 70_000].Select(n => Utf8("\"" + new string('a', n) + "\""))),
        (1, Gen.Int[1_000, 20_000].Select(n => Utf8(new string('9', n)))),
        (2, Gen.Int[15, 5_000].Select(n => Utf8(new string('[', n) + new string(']', n)))),
        (1, Gen.Int[15, 3_000].Select(n => Utf8(string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n)))),
        (1, Gen.Int[15, 3_000].Select(n => Utf8(new string('[', n)))));

    /// <summary>Mutations of a valid document: one value made hostile, a duplicate key, a removed key, and byte-level
    /// damage on top of some of them.</summary>
    public static Gen<byte[]> Mutations(Gen<JsonObject> valid) =>
        from document in valid
        from pick in Gen.Int[0, int.MaxValue]
        from kind in Gen.Int[0, 9]
        from value in Value
        from damage in Gen.Int[0, 9]
        from position in Gen.Double[0, 1]
        from noise in Gen.Byte
        select Damage(Mutate(document, pick, kind, value), damage, position, noise);

    /// <summary>Everything together: random bytes, random text, and mutations of valid documents.</summary>
    public static Gen<byte[]> Documents(Gen<JsonObject> valid) => Gen.Frequency(
        (1, Bytes),
        (1, Text.Select(Utf8)),
        (6, Mutations(valid)));

    /// <summary>Serializes a document as gcloud or a service would.</summary>
    public static byte[] Serialize(JsonNode document) => Encoding.UTF8.GetBytes(document.ToJsonString());

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Mutate(JsonObject document, int pick, int kind, byte[] value)
    {
        JsonObject copy = (JsonObject)document.DeepClone();
        List<(JsonNode Parent, string? Key, int Index)> slots = [];
        Collect(copy, slots);
        if (slots.Count == 0)
        {
            return Serialize(copy);
        }

        (JsonNode parent, string? key, int index) = slots[pick % slots.Count];
        JsonNode? original = key is not null ? parent[key] : parent[index];
        string originalJson = original?.ToJsonString() ?? "null";
        switch (kind)
        {
            case 0 when key is not null:
                // Removed field.
                ((JsonObject)parent).Remove(key);
                return Serialize(copy);
            case 1 when key is not null:
                // Duplicate key: the valid value first, then the hostile one under the same name (and the reverse).
                SetMarker(parent, key, index);
                return Splice(Serialize(copy), Concat(Utf8(originalJson + "," + JsonSerializer.Serialize(key) + ":"), value));
            case 2 when key is not null:
                SetMarker(parent, key, index);
                return Splice(Serialize(copy), Concat(value, Utf8("," + JsonSerializer.Serialize(key) + ":" + originalJson)));
            default:
                SetMarker(parent, key, index);
                return Splice(Serialize(copy), value);
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject obj)
        {
            foreach ((string key, JsonNode? child) in obj.ToList())
            {
                slots.Add((obj, key, -1));
                if (child is not null)
                {
                    Collect(child, slots);
                }
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                slots.Add((array, null, i));
                if (array[i] is JsonNode child)
                {
                    Collect(child, slots);
                }
            }
        }
    }

    private static void SetMarker(JsonNode parent, string? key, int index)
    {
        if (key is not null)
        {
            parent[key] = Marker;
        }
        else
        {
            parent[index] = Marker;
        }
    }

    private static byte[] Splice(byte[] json, byte[] value)
    {
        int at = json.AsSpan().IndexOf(s_markerBytes);
        return Concat(json[..at], value, json[(at + s_markerBytes.Length)..]);
    }

    private static byte[] Damage(byte[] json, int damage, double position, byte noise)
    {
        int at = (int)(position * json.Length);
        return damage switch
        {
            0 => Concat([0xEF, 0xBB, 0xBF], json),
            1 => json[..at],
            2 => Concat(json[..at], [0], json[at..]),
            3 => Concat(json[..at], s_invalidUtf8[noise % s_invalidUtf8.Length], json[at..]),
            4 when json.Length > 0 => Concat(json[..Math.Min(at, json.Length - 1)], [noise], json[(Math.Min(at, json.Length - 1) + 1)..]),
            5 => Concat(Utf8(" \t\r\n"), json, Utf8("\n\n")),
            6 => Concat(json, Utf8(" {\"trailing\":1}")),
            _ => json,
        };
    }

    private static byte[] Concat(params byte[][] parts)
    {
        byte[] result = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (byte[] part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }
}
