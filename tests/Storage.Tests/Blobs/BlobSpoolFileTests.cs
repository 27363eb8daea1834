using GraphCast.Orleans.Storage.Blobs;

namespace GraphCast.Orleans.Storage.Tests.Blobs;

/// <summary>The spool file behind large blob writes keeps its bytes while open and leaves no name behind, even while open.</summary>
public sealed class BlobSpoolFileTests
{
    [Fact]
    public async Task A_spool_file_holds_its_bytes_and_has_no_name_in_the_temporary_folder()
    {
        var kind = $"spooltest{Guid.NewGuid():N}";
        byte[] data = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7))];
        await using (var spool = BlobSpoolFile.Create(kind))
        {
            await spool.WriteAsync(data);
            spool.Position = 0;
            var back = new byte[data.Length];
            await spool.ReadExactlyAsync(back);
            Assert.Equal(data, back);

            // Unlinked at once on Linux: a process killed now leaves nothing in TMPDIR.
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"graphcast-{kind}-*"));
        }

        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"graphcast-{kind}-*"));
    }
}
