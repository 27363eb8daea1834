using System.Diagnostics;
using System.Text.Json;
using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Weights;
using GraphCast.Orleans.Storage.Runs;
using GraphCast.Testing;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>
/// The fuzz harness: for each input format, a valid sample cut at many offsets and with bytes flipped at seeded positions,
/// fed to the commands that read it (in-process, through <see cref="CommandLine.RunAsync"/>). Every variant must end with
/// exit code 0, 1 or 2 — never a crash, a signal or the internal-error code — and, when it fails, exactly one line on
/// stderr that names the damaged file; nothing is written either way. Readers no command reaches cheaply (model weights,
/// rollout checkpoints, npy) are fed directly and may throw only <see cref="InvalidDataException"/>.
/// </summary>
public sealed class InputFuzzTests(ITestOutputHelper log) : IAsyncLifetime
{
    private static readonly string IfsNetCdf = SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc");
    private static readonly string IfsGrib = SharedData.File("ifs-2024-06-03", "pl_regular_ll.grib");

    private StoredRunFixture _run = null!;
    private string _scratch = null!;

    public async Task InitializeAsync()
    {
        _run = await StoredRunFixture.CreateAsync();
        _scratch = Directory.CreateTempSubdirectory("gc-fuzz-").FullName;
    }

    public Task DisposeAsync()
    {
        _run.Dispose();
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Damaged_netcdf4_truth_files_are_one_line_errors_naming_the_file()
    {
        var count = await FuzzFileAsync(IfsNetCdf, "truth.nc", seed: 1704, cuts: 30, flips: 40,
            path => ["verify", StoredRunFixture.RunId, "--truth", path, "--output", _run.Directory]);
        Assert.Equal(70, count);
    }

    [Fact]
    public async Task Damaged_grib_truth_files_are_one_line_errors_naming_the_file()
    {
        var count = await FuzzFileAsync(IfsGrib, "truth.grib", seed: 1705, cuts: 12, flips: 16,
            path => ["verify", StoredRunFixture.RunId, "--truth", path, "--output", _run.Directory]);
        Assert.Equal(28, count);
    }

    [Fact]
    public async Task Damaged_zarr_metadata_and_chunks_are_one_line_errors_naming_the_store()
    {
        var source = Path.Combine(_run.Directory, "runs", StoredRunFixture.RunId, "forecast.zarr");
        var chunk = Directory.EnumerateFiles(Path.Combine(source, "temperature")).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).First();
        var total = 0;
        foreach (var (file, seed) in new[] { (Path.Combine(source, ".zmetadata"), 1706), (chunk, 1707) })
        {
            var relative = Path.GetRelativePath(source, file);
            var valid = await File.ReadAllBytesAsync(file);
            foreach (var (name, bytes) in Mutations.Of(valid, seed, cuts: 12, flips: 16))
            {
                var store = Path.Combine(_scratch, "truth.zarr");
                CopyDirectory(source, store);
                await File.WriteAllBytesAsync(Path.Combine(store, relative), bytes);
                await AssertCleanAsync($"{relative}: {name}", "truth.zarr", ["verify", StoredRunFixture.RunId, "--truth", store, "--output", _run.Directory]);
                Directory.Delete(store, recursive: true);
                total++;
            }
        }

        Assert.Equal(56, total);
    }

    [Fact]
    public async Task Damaged_run_manifests_are_one_line_errors_and_runs_lists_the_others()
    {
        var manifest = Path.Combine(_run.Directory, "runs", StoredRunFixture.RunId, "run.json");
        var valid = await File.ReadAllBytesAsync(manifest);
        var total = 0;
        try
        {
            foreach (var (name, bytes) in Mutations.Of(valid, seed: 1708, cuts: 20, flips: 40))
            {
                await File.WriteAllBytesAsync(manifest, bytes);
                await AssertCleanAsync(name, "run.json", ["status", StoredRunFixture.RunId, "--output", _run.Directory]);
                await AssertCleanAsync(name, "run.json", ["export", StoredRunFixture.RunId, "--format", "netcdf", "--out", Path.Combine(_scratch, "x.nc"), "--output", _run.Directory], mayWrite: true);
                File.Delete(Path.Combine(_scratch, "x.nc"));
                var runs = await AssertCleanAsync(name, "run.json", ["runs", "--output", _run.Directory]);
                if (runs.Code != 0)
                {
                    Assert.Contains(StoredRunFixture.RunId + " ", runs.Out, StringComparison.Ordinal);
                }

                total++;
            }
        }
        finally
        {
            await File.WriteAllBytesAsync(manifest, valid);
        }

        Assert.Equal(60, total);
    }

    [Fact]
    public async Task Damaged_cluster_profiles_are_one_line_errors_naming_the_profile()
    {
        var profile = JsonSerializer.SerializeToUtf8Bytes(new
        {
            Configuration = new Dictionary<string, string> { ["Storage:LocalDirectory"] = _run.Directory, ["Cluster:Clustering"] = "localhost" },
            Silos = new[] { new { Name = "silo-0", Pid = 0, Compute = true, Log = "silo-0.log" } },
        });
        var cluster = Path.Combine(_scratch, "cluster");
        var total = 0;
        foreach (var (name, bytes) in Mutations.Of(profile, seed: 1709, cuts: 16, flips: 30))
        {
            Directory.CreateDirectory(cluster);
            await File.WriteAllBytesAsync(Path.Combine(cluster, "cluster.json"), bytes);
            await AssertCleanAsync(name, "cluster.json", ["verify", StoredRunFixture.RunId, "--truth", IfsNetCdf, "--cluster", "--cluster-dir", cluster], ignore: [cluster]);
            Directory.Delete(cluster, recursive: true);
            total++;
        }

        Assert.Equal(46, total);
    }

    [Fact]
    public void Damaged_model_weights_npy_and_safetensors_throw_only_invalid_data()
    {
        var watch = Stopwatch.StartNew();
        using var model = GraphCastModel.FromPreset(Presets.Tiny, new GraphCastModelOptions { GraphCacheDirectory = Path.Combine(_scratch, "graphs") });
        var weights = Path.Combine(_scratch, "tiny.npz");
        GraphCastWeights.Save(weights, model.Params, model.Config, model.Task, "tiny", "test");
        var checks = 0;
        foreach (var (name, bytes) in Mutations.Of(File.ReadAllBytes(weights), seed: 1710, cuts: 24, flips: 30))
        {
            var path = Path.Combine(_scratch, "damaged.npz");
            File.WriteAllBytes(path, bytes);
            OnlyInvalidData(name, path, () =>
            {
                // What 'model describe --checkpoint' and 'forecast --checkpoint' check.
                using var loaded = GraphCastWeights.Load(path);
                using var expected = GraphCastModel.ExpectedParameters(loaded.Model, loaded.Task);
                loaded.Validate(expected, path);
            });
            checks++;
        }

        using var stream = new MemoryStream();
        NpyFormat.Write(stream, NpySamples.Sample("float32-3d"));
        foreach (var (name, bytes) in Mutations.Of(stream.ToArray(), seed: 1711, cuts: 16, flips: 30))
        {
            OnlyInvalidData(name, "sample.npy", () => NpyFormat.Read(new MemoryStream(bytes), "sample.npy"));
            checks++;
        }

        var tensors = new[] { "float32", "float64", "int64", "uint8" }.Select(k => new KeyValuePair<string, NpyArray>(k, NpySamples.Sample(k)));
        using var safetensors = new MemoryStream();
        SafetensorsFormat.Write(safetensors, tensors, [new("step", "3")]);
        foreach (var (name, bytes) in Mutations.Of(safetensors.ToArray(), seed: 1712, cuts: 16, flips: 30))
        {
            OnlyInvalidData(name, "checkpoint.safetensors", () => SafetensorsFormat.Read(new MemoryStream(bytes), "checkpoint.safetensors"));
            checks++;
        }

        log.WriteLine($"{checks} variants in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(54 + 46 + 46, checks);
    }

    private static void OnlyInvalidData(string variant, string file, Action read)
    {
        try
        {
            read();
        }
        catch (InvalidDataException e)
        {
            Assert.True(e.Message.Contains(Path.GetFileName(file), StringComparison.Ordinal), $"{variant}: the message does not name {file}: {e.Message}");
        }
        catch (Exception e)
        {
            Assert.Fail($"{file}, {variant}: {e.GetType().Name} instead of InvalidDataException: {e}");
        }
    }

    /// <summary>Writes each variant of <paramref name="sample"/> to <paramref name="fileName"/> in the scratch folder and runs the command on it.</summary>
    private async Task<int> FuzzFileAsync(string sample, string fileName, int seed, int cuts, int flips, Func<string, string[]> command)
    {
        var watch = Stopwatch.StartNew();
        var path = Path.Combine(_scratch, fileName);
        var count = 0;
        foreach (var (name, bytes) in Mutations.Of(await File.ReadAllBytesAsync(sample), seed, cuts, flips))
        {
            await File.WriteAllBytesAsync(path, bytes);
            await AssertCleanAsync(name, fileName, command(path));
            count++;
        }

        log.WriteLine($"{fileName}: {count} variants in {watch.Elapsed.TotalSeconds:F1} s");
        return count;
    }

    /// <summary>
    /// Runs the command and checks the harness' rules: exit 0, 1 or 2; on failure one line on stderr naming
    /// <paramref name="names"/> (or saying what to install for GRIB); nothing written in the run's folder or the scratch
    /// folder (<paramref name="mayWrite"/>: the command's own output file may appear when it succeeds).
    /// </summary>
    private async Task<(int Code, string Out, string Err)> AssertCleanAsync(string variant, string names, string[] args, bool mayWrite = false, string[]? ignore = null)
    {
        var before = Snapshot(ignore);
        var result = await Cli.RunAsync(args);
        var (code, _, error) = result;
        var context = $"{string.Join(' ', args.Take(2))} with {names} {variant}: exit {code}, stderr: {error}";
        Assert.True(code is 0 or 1 or 2, context);
        if (code != 0)
        {
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, context);
            Assert.StartsWith("graphcast: ", lines[0], StringComparison.Ordinal);
            // The damaged file by name; or for GRIB without ecCodes, what to install; or, when the damage moved where a valid
            // profile points (another storage folder), the run that is not there.
            Assert.True(
                lines[0].Contains(names, StringComparison.Ordinal) || lines[0].Contains("ecCodes", StringComparison.Ordinal)
                    || (names == "cluster.json" && lines[0].StartsWith("graphcast: There is no forecast of run", StringComparison.Ordinal)),
                context);
        }
        else
        {
            Assert.True(error.Length == 0, context);
        }

        if (!(mayWrite && code == 0))
        {
            Assert.Equal(before, Snapshot(ignore));
        }

        return result;
    }

    /// <summary>Every file under the run's folder and the scratch folder, with its length.</summary>
    private string Snapshot(string[]? ignore) => string.Join('\n',
        new[] { _run.Directory, _scratch }.SelectMany(d => Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories))
            .Where(p => ignore is null || !ignore.Any(i => p.StartsWith(i, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length}" : p));

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
