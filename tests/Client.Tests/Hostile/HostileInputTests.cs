using System.Diagnostics;
using GraphCast.Model;
using GraphCast.Model.Configuration;
using GraphCast.Model.Weights;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests.Hostile;

/// <summary>
/// Each hostile input of issue 17 as its own case: damaged files and manifests, output paths that cannot be written, an
/// incomplete checkpoint, a perturbation that overflows. Each is one line on stderr that names the input, a documented exit
/// code, and nothing written.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private static readonly string IfsNetCdf = SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc");

    private StoredRunFixture _run = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _run = await StoredRunFixture.CreateAsync();
        _dir = Directory.CreateTempSubdirectory("gc-hostile-").FullName;
    }

    public Task DisposeAsync()
    {
        _run.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private static string OneLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "not one line on stderr: " + error);
        return lines[0];
    }

    private string CutIfs(int bytes)
    {
        var path = Path.Combine(_dir, "cut.nc");
        File.WriteAllBytes(path, File.ReadAllBytes(IfsNetCdf)[..bytes]);
        return path;
    }

    [Theory]
    [InlineData(2000, " could not be read as netCDF-4 (HDF5): The file is too small; the file is damaged or cut short.")]
    [InlineData(300_000, ": the values of variable 'z' could not be read (The file is too small); the file is damaged or cut short.")]
    public async Task A_truncated_netcdf4_initial_condition_is_one_line_and_creates_no_output_folder(int bytes, string expected)
    {
        var cut = CutIfs(bytes);
        var output = Path.Combine(_dir, "out");
        var (code, _, error) = await Cli.RunAsync(
            "forecast", "--preset", "tiny", "--init", cut, "--init-time", "2024-06-03T06:00Z", "--fill", "interpolate,analytic",
            "--members", "1", "--steps", "1", "--output", output);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal($"graphcast: '{cut}'{expected}", OneLine(error));
        Assert.False(Directory.Exists(output), "the refused forecast left its output folder behind");
    }

    [Fact]
    public async Task A_bad_stalled_after_or_one_without_a_cluster_is_a_usage_line()
    {
        var (code, _, error) = await Cli.RunAsync("watch", "r", "--cluster", "--cluster-dir", _dir, "--stalled-after", "5x");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("graphcast: --stalled-after '5x' is not a positive duration: write it as 30s, 15m, 6h or 2d (or hh:mm:ss).", OneLine(error));
        (code, _, error) = await Cli.RunAsync("watch", "r", "--output", _dir, "--stalled-after", "15s");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("graphcast: --stalled-after is for a cluster run (--cluster): on a local folder, watch already says at once when no process runs the run.", OneLine(error));
    }

    [Fact]
    public async Task An_initial_condition_variable_of_the_wrong_shape_is_one_line_naming_both_shapes_and_creates_no_output_folder()
    {
        var file = GraphCast.Testing.TransposedIfsSample.Write(Path.Combine(_dir, "t-transposed.nc"), "t");
        var output = Path.Combine(_dir, "out");
        var (code, _, error) = await Cli.RunAsync(
            "forecast", "--preset", "tiny", "--init", file, "--init-time", "2024-06-03T06:00Z", "--fill", "interpolate,analytic",
            "--members", "1", "--steps", "1", "--output", output);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(
            $"graphcast: '{file}': variable 't' (temperature) has shape (time=8, level=6, longitude=36, latitude=19), but the model reads it as (time, level, latitude=19, longitude=36), " +
            "latitude and longitude last: reorder its dimensions (e.g. ncpdq -a time,level,latitude,longitude IN.nc OUT.nc) or remove it. Nothing was read; such a variable is not filled in.",
            OneLine(error));
        Assert.False(Directory.Exists(output), "the refused forecast left its output folder behind");
    }

    [Theory]
    [InlineData(2000)]
    public async Task A_truncated_netcdf4_truth_file_is_one_line(int bytes)
    {
        var cut = CutIfs(bytes);
        var (code, output, error) = await Cli.RunAsync("verify", StoredRunFixture.RunId, "--truth", cut, "--output", _run.Directory);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("", output);
        Assert.StartsWith($"graphcast: '{cut}'", OneLine(error), StringComparison.Ordinal);
        Assert.EndsWith("; the file is damaged or cut short.", OneLine(error), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> DamagedManifests() => new()
    {
        { "cut short", "status", "it is not a run manifest (Expected" },
        { "cut short", "runs", "it is not a run manifest (Expected" },
        { "cut short", "resume", "it is not a run manifest (Expected" },
        { "cut short", "export", "it is not a run manifest (Expected" },
        { "{\"spec\":42}", "status", "it is not a run manifest (The JSON value could not be converted to GraphCast.Orleans.Abstractions.ForecastSpec" },
        { "{\"spec\":42}", "runs", "it is not a run manifest (The JSON value could not be converted to GraphCast.Orleans.Abstractions.ForecastSpec" },
        { "{\"spec\":42}", "resume", "it is not a run manifest (The JSON value could not be converted to GraphCast.Orleans.Abstractions.ForecastSpec" },
        { "{\"spec\":42}", "export", "it is not a run manifest (The JSON value could not be converted to GraphCast.Orleans.Abstractions.ForecastSpec" },
        { "{\"spec\":null}", "status", "it has no spec" },
        { "{\"spec\":{\"runId\":\"other\",\"model\":\"tiny\",\"initTime\":\"2024-06-03T06:00:00Z\",\"steps\":2,\"members\":3}}", "status", "its spec is for run 'other'" },
    };

    [Theory]
    [MemberData(nameof(DamagedManifests))]
    public async Task A_damaged_run_manifest_is_one_line_naming_it_and_runs_lists_the_others(string damage, string command, string problem)
    {
        // A second, intact run in the same folder: 'runs' must still list it.
        var manifest = Path.Combine(_run.Directory, "runs", StoredRunFixture.RunId, "run.json");
        var intact = Directory.CreateDirectory(Path.Combine(_run.Directory, "runs", "intact")).FullName;
        File.WriteAllText(Path.Combine(intact, "run.json"), File.ReadAllText(manifest).Replace(StoredRunFixture.RunId, "intact", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_run.Directory, "index", "intact"), "intact");

        File.WriteAllText(manifest, damage == "cut short" ? File.ReadAllText(manifest)[..200] : damage);
        var exported = Path.Combine(_dir, "x.nc");
        string[] args = command switch
        {
            "runs" => ["runs", "--output", _run.Directory],
            "export" => ["export", StoredRunFixture.RunId, "--format", "netcdf", "--out", exported, "--output", _run.Directory],
            _ => [command, StoredRunFixture.RunId, "--output", _run.Directory],
        };
        var (code, output, error) = await Cli.RunAsync(args);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.StartsWith(
            $"graphcast: The manifest of run '{StoredRunFixture.RunId}' (runs/{StoredRunFixture.RunId}/run.json in the local folder '{_run.Directory}') is damaged: {problem}",
            OneLine(error), StringComparison.Ordinal);
        Assert.EndsWith("Restore it from a backup, or delete the run's folder and start the run again.", OneLine(error), StringComparison.Ordinal);
        Assert.False(File.Exists(exported));
        if (command == "runs")
        {
            var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, rows.Length);
            Assert.StartsWith($"{"intact",-33} Completed  {3,7}  {6,5}/6 ", rows[1], StringComparison.Ordinal);
            Assert.Equal($"{StoredRunFixture.RunId,-33} Damaged    (its run.json cannot be read: 'graphcast status {StoredRunFixture.RunId}' says why)", rows[2]);
        }
    }

    [Fact]
    public async Task Output_paths_that_are_files_or_folders_are_refused_before_anything_is_written()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "a-folder")).FullName;
        var cases = new (string[] Args, string Message)[]
        {
            (["forecast", "--preset", "tiny", "--steps", "1", "--members", "1", "--output", file], $"graphcast: --output {file}: '{file}' is a file, not a folder; give a folder (it is created if missing)."),
            (["forecast", "--preset", "tiny", "--steps", "1", "--members", "1", "--output", Path.Combine(file, "sub")], $"graphcast: --output {Path.Combine(file, "sub")}: '{file}' is a file, so no folder can be made under it; pick another path."),
            (["export", StoredRunFixture.RunId, "--format", "netcdf", "--out", folder, "--output", _run.Directory], $"graphcast: --out {folder}: '{folder}' is a folder; give the name of a file (in it, or elsewhere)."),
            (["export", StoredRunFixture.RunId, "--format", "netcdf", "--out", Path.Combine(file, "x.nc"), "--output", _run.Directory], $"graphcast: --out {Path.Combine(file, "x.nc")}: '{file}' is a file, not a folder; pick a path in a folder."),
            (["plot", StoredRunFixture.RunId, "--var", "2m_temperature", "--step", "1", "--mean", "--out", folder, "--output", _run.Directory], $"graphcast: --out {folder}: '{folder}' is a folder; give the name of a file (in it, or elsewhere)."),
            (["plot", StoredRunFixture.RunId, "--var", "2m_temperature", "--plume", "--lat", "10", "--lon", "10", "--out", folder, "--output", _run.Directory], $"graphcast: --out {folder}: '{folder}' is a folder; give the name of a file (in it, or elsewhere)."),
            (["verify", StoredRunFixture.RunId, "--truth", IfsNetCdf, "--out", folder, "--output", _run.Directory], $"graphcast: --out {folder}: '{folder}' is a folder; give the name of a file (in it, or elsewhere)."),
            (["export", StoredRunFixture.RunId, "--format", "netcdf", "--output", Path.Combine(_dir, "no-such-folder")], $"graphcast: No runs folder at {Path.Combine(_dir, "no-such-folder")}. Give the folder a forecast wrote to with --output DIR, or add --cluster for a cluster's runs."),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, error) = await Cli.RunAsync(args);
            Assert.True(code == ExitCodes.Usage, string.Join(' ', args) + ": " + error);
            Assert.Equal(message, OneLine(error));
        }

        Assert.Equal(["a-file", "a-folder"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    /// <summary>
    /// A folder the user may not write. The tests run as root here, whom permissions do not stop, so the real binary runs as
    /// the unprivileged user 'nobody' (setpriv); a non-root test run checks it in-process.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task An_output_folder_the_user_cannot_write_is_one_line_and_nothing_is_written()
    {
        var readOnly = Directory.CreateDirectory(Path.Combine(_dir, "read-only")).FullName;
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var output = Path.Combine(readOnly, "runs-here");
        int code;
        string error;
        if (Environment.UserName == "root")
        {
            Assert.True(File.Exists("/usr/bin/setpriv"), "running as root, this test needs setpriv (util-linux) to run the CLI as 'nobody'");
            var start = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
            foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", Path.Combine(AppContext.BaseDirectory, "graphcast"), "forecast", "--preset", "tiny", "--steps", "1", "--members", "1", "--output", output })
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["HOME"] = "/tmp";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            (code, error) = (process.ExitCode, await stderr);
        }
        else
        {
            (code, _, error) = await Cli.RunAsync("forecast", "--preset", "tiny", "--steps", "1", "--members", "1", "--output", output);
        }

        Assert.True(code == ExitCodes.Usage, error);
        Assert.Equal($"graphcast: --output {output}: '{readOnly}' cannot be written (permission denied); pick a folder you can write, or fix its permissions.", OneLine(error));
        Assert.Empty(Directory.EnumerateFileSystemEntries(readOnly));
    }

    [Fact]
    public async Task A_checkpoint_missing_parameters_is_refused_like_model_describe_before_a_run_is_created()
    {
        using var model = GraphCastModel.FromPreset(Presets.Tiny, new GraphCastModelOptions { GraphCacheDirectory = Path.Combine(_dir, "graphs") });
        using var partial = model.Params.Where(k => k.Module != "mesh2grid_gnn/~_networks_builder/decoder_nodes_grid_nodes_mlp/~/linear_1");
        var weights = Path.Combine(_dir, "weights");
        Directory.CreateDirectory(weights);
        var npz = Path.Combine(weights, "partial.npz");
        GraphCastWeights.Save(npz, partial, model.Config, model.Task, "partial", "test");
        var (describeCode, _, describeError) = await Cli.RunAsync("model", "describe", "--checkpoint", npz);
        var output = Path.Combine(_dir, "out");
        var (code, stdout, error) = await Cli.RunAsync("forecast", "--checkpoint", npz, "--members", "2", "--steps", "1", "--output", output, "--run-id", "partial");
        Assert.Equal(ExitCodes.Failed, describeCode);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(OneLine(describeError), OneLine(error));
        Assert.Matches(@"lacks \d+ parameter\(s\) the model needs, first 'mesh2grid_gnn/~_networks_builder/decoder_nodes_grid_nodes_mlp/~/linear_1:", error);
        Assert.DoesNotContain("   at ", stdout + error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "the refused forecast created its output folder");
    }

    [Fact]
    public async Task A_perturbation_that_overflows_fails_the_members_as_diverged_instead_of_completing()
    {
        var output = Path.Combine(_dir, "out");
        var (code, stdout, error) = await Cli.RunAsync(
            "forecast", "--preset", "tiny", "--members", "2", "--steps", "2", "--perturb", "gaussian:1e308", "--output", output, "--run-id", "overflow");
        Assert.True(code == ExitCodes.Failed, stdout + error);
        Assert.Contains("Run overflow: Failed", stdout, StringComparison.Ordinal);
        var (_, status, _) = await Cli.RunAsync("status", "overflow", "--output", output, "--json");
        using var json = System.Text.Json.JsonDocument.Parse(status);
        Assert.Equal("Failed", json.RootElement.GetProperty("state").GetString());
        var members = json.RootElement.GetProperty("member_progress").EnumerateArray().ToList();
        // Member 0 is the unperturbed control: it completes; member 1 stops before its first step.
        Assert.Equal("Completed", members[0].GetProperty("state").GetString());
        Assert.Equal(("Failed", 0), (members[1].GetProperty("state").GetString(), members[1].GetProperty("step").GetInt32()));
        Assert.StartsWith("diverged at step 0: ", members[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"^diverged at step 0: \w+ has \d+ non-finite values( \(\d+ in all\))?; the perturbation gaussian:\S+ overflows float32: use an amplitude of about 0.01 to 1", members[1].GetProperty("error").GetString()!);
    }
}
