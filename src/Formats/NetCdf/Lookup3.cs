namespace GraphCast.Formats.NetCdf;

/// <summary>
/// Bob Jenkins' lookup3 <c>hashlittle</c> (public domain), the checksum HDF5 puts on its version-2 superblock and object
/// headers (H5_checksum_lookup3 with initial value 0).
/// </summary>
internal static class Lookup3
{
    public static uint Hash(ReadOnlySpan<byte> key, uint initial = 0)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)key.Length + initial;
        var k = key;
        while (k.Length > 12)
        {
            a += k[0] + ((uint)k[1] << 8) + ((uint)k[2] << 16) + ((uint)k[3] << 24);
            b += k[4] + ((uint)k[5] << 8) + ((uint)k[6] << 16) + ((uint)k[7] << 24);
            c += k[8] + ((uint)k[9] << 8) + ((uint)k[10] << 16) + ((uint)k[11] << 24);
            Mix(ref a, ref b, ref c);
            k = k[12..];
        }

        if (k.Length == 0)
        {
            return c;
        }

        // The tail: bytes 9–12 go to c, 5–8 to b, 1–4 to a (the switch fall-through of the reference).
        for (var i = k.Length - 1; i >= 0; i--)
        {
            var shifted = (uint)k[i] << (8 * (i % 4));
            if (i >= 8)
            {
                c += shifted;
            }
            else if (i >= 4)
            {
                b += shifted;
            }
            else
            {
                a += shifted;
            }
        }

        Final(ref a, ref b, ref c);
        return c;
    }

    private static uint Rot(uint x, int k) => (x << k) | (x >> (32 - k));

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= Rot(c, 4); c += b;
        b -= a; b ^= Rot(a, 6); a += c;
        c -= b; c ^= Rot(b, 8); b += a;
        a -= c; a ^= Rot(c, 16); c += b;
        b -= a; b ^= Rot(a, 19); a += c;
        c -= b; c ^= Rot(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= Rot(b, 14);
        a ^= c; a -= Rot(c, 11);
        b ^= a; b -= Rot(a, 25);
        c ^= b; c -= Rot(b, 16);
        a ^= c; a -= Rot(c, 4);
        b ^= a; b -= Rot(a, 14);
        c ^= b; c -= Rot(b, 24);
    }
}
