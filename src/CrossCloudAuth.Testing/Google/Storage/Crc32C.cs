using System.Buffers.Binary;

namespace CrossCloudAuth.Testing.Google.Storage;

/// <summary>CRC32C (Castagnoli), the checksum Cloud Storage publishes as <c>crc32c</c> and in <c>x-goog-hash</c>, which
/// Google's clients check downloads and uploads against.</summary>
internal static class Crc32C
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>Returns the checksum in Cloud Storage's form: the big-endian 4 bytes, base64.</summary>
    public static string Base64(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, ~crc);
        return Convert.ToBase64String(bytes);
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
