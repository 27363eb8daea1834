using System.Text.Json;
using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>The README's real-data path: a forecast initialised from the IFS sample, verified against its later times.</summary>
public sealed class RealDataCommandTests : IDisposable
{
    private static readonly string Grib = SharedData.File("ifs-2024-06-03", "pl_regular_ll.grib");
    private static readonly string NetCdf = SharedData.File("ifs-2024-06-03", "pl_regular_ll.nc");
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-real-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => Cli.RunAsync(args);

    [Fact]
    public async Task A_forecast_from_the_IFS_grib_file_runs_and_verifies_against_the_netcdf_file()
    {
        var (code, output, error) = await RunAsync(
            "forecast", "--preset", "tiny", "--init", Grib, "--init-time", "2024-06-03T06:00Z", "--fill", "interpolate,analytic",
            "--members", "2", "--steps", "2", "--output", _dir, "--run-id", "ifs");
        Assert.True(code == 0, output + error);
        Assert.Contains("Initial condition: " + Grib + " at 2024-06-03 00:00Z and 2024-06-03 06:00Z", output, StringComparison.Ordinal);
        Assert.Contains("read    specific_humidity ← r (%) with t, converted to specific humidity", output, StringComparison.Ordinal);
        Assert.Contains("filled  2m_temperature: analytic", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "runs", "ifs", "initial.safetensors")));

        var csv = Path.Combine(_dir, "scores.csv");
        var (verifyCode, table, verifyError) = await RunAsync("verify", "ifs", "--truth", NetCdf, "--output", _dir, "--out", csv);
        Assert.True(verifyCode == 0, table + verifyError);
        Assert.Contains("temperature                    500   12h        2", table, StringComparison.Ordinal);

        // 5 variables (t, z, u, v, q from r) × 6 levels × 2 lead times, plus the header.
        var lines = File.ReadAllLines(csv);
        Assert.Equal(1 + (5 * 6 * 2), lines.Length);
        Assert.StartsWith("variable,level_hpa,lead_time_hours,valid_time,members,rmse_ensemble_mean,acc,crps,spread,spread_skill_ratio,rmse_member_0,rmse_member_1", lines[0], StringComparison.Ordinal);

        // --json: the same rows, parsed; ACC is null without a climatology.
        var (jsonCode, json, jsonError) = await RunAsync("verify", "ifs", "--truth", NetCdf, "--output", _dir, "--json");
        Assert.True(jsonCode == 0, jsonError);
        using var scores = JsonDocument.Parse(json);
        var rows = scores.RootElement.EnumerateArray().ToList();
        Assert.Equal(5 * 6 * 2, rows.Count);
        var t500 = rows.Single(r => r.GetProperty("variable").GetString() == "temperature" && r.GetProperty("level_hpa").GetInt32() == 500 && r.GetProperty("lead_time_hours").GetDouble() == 12);
        Assert.Equal(2, t500.GetProperty("members").GetInt32());
        Assert.Equal(JsonValueKind.Null, t500.GetProperty("acc").ValueKind);
        Assert.Equal(2, t500.GetProperty("rmse_members").GetArrayLength());
        var csvT500 = lines.Single(l => l.StartsWith("temperature,500,12,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(double.Parse(csvT500[5], System.Globalization.CultureInfo.InvariantCulture), t500.GetProperty("rmse_ensemble_mean").GetDouble(), 6);
        Assert.Equal(double.Parse(csvT500[7], System.Globalization.CultureInfo.InvariantCulture), t500.GetProperty("crps").GetDouble(), 6);

        // The forecast store initialises another run: its steps 1 and 2 (12 and 18 UTC) are the frames for 18 UTC; it has
        // every predicted variable, so only the static fields are filled.
        var zarr = Path.Combine(_dir, "runs", "ifs", "forecast.zarr");
        var (next, nextOutput, nextError) = await RunAsync(
            "forecast", "--preset", "tiny", "--init", zarr, "--init-time", "2024-06-03T18:00Z", "--fill", "analytic",
            "--members", "1", "--steps", "1", "--output", _dir, "--run-id", "from-zarr");
        Assert.True(next == 0, nextOutput + nextError);
        Assert.Contains("at 2024-06-03 12:00Z and 2024-06-03 18:00Z", nextOutput, StringComparison.Ordinal);
        Assert.Equal(
            ["filled  geopotential_at_surface: analytic", "filled  land_sea_mask: analytic"],
            nextOutput.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("filled", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_file_lacking_inputs_is_one_line_naming_the_file_and_the_fill_option_and_writes_nothing()
    {
        var (code, output, error) = await RunAsync(
            "forecast", "--preset", "tiny", "--init", NetCdf, "--init-time", "2024-06-03T06:00Z", "--output", _dir, "--run-id", "lacking");
        Assert.Equal(1, code);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains("pl_regular_ll.nc' lacks inputs the model needs", error, StringComparison.Ordinal);
        Assert.Contains("--fill", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Run lacking", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "runs")));
    }
}
