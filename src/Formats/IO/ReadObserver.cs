namespace GraphCast.Formats.IO;

/// <summary>Sees each run of bytes as it is read (a CRC or a hash that accumulates while a blob is parsed).</summary>
public delegate void ReadObserver(ReadOnlySpan<byte> bytes);
