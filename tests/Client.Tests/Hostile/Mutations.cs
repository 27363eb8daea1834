namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>
/// Seeded damage to a valid file: the file cut short at many offsets (the first bytes, where formats keep their headers,
/// and evenly over the rest), and copies with a few bytes flipped at random positions (half of them in the first 4 KiB).
/// The same seed gives the same variants, so a failure names a variant that can be made again.
/// </summary>
internal static class Mutations
{
    public static IEnumerable<(string Name, byte[] Bytes)> Of(byte[] valid, int seed, int cuts, int flips)
    {
        ArgumentNullException.ThrowIfNull(valid);
        // The first bytes (magic numbers, header lengths), then evenly spaced over the whole file.
        var offsets = new List<int> { 0, 1, 4, 8, 16 };
        for (var k = 1; offsets.Count < cuts; k++)
        {
            offsets.Add((int)((long)valid.Length * k / (cuts - 4)));
        }

        foreach (var cut in offsets.Take(cuts).Select(o => Math.Min(o, valid.Length - 1)))
        {
            yield return ($"cut at byte {cut} of {valid.Length}", valid[..cut]);
        }

        var random = new Random(seed);
        for (var i = 0; i < flips; i++)
        {
            var copy = (byte[])valid.Clone();
            var count = random.Next(1, 5);
            var positions = new List<int>();
            for (var j = 0; j < count; j++)
            {
                var position = random.Next(2) == 0 ? random.Next(Math.Min(4096, valid.Length)) : random.Next(valid.Length);
                copy[position] ^= (byte)random.Next(1, 256);
                positions.Add(position);
            }

            yield return ($"bytes flipped at {string.Join(", ", positions)} (seed {seed}, variant {i})", copy);
        }
    }
}
