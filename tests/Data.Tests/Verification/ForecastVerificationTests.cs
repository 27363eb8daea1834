using System.Globalization;
using GraphCast.Data.Datasets;
using GraphCast.Data.Verification;
using GraphCast.Model.Configuration;

namespace GraphCast.Data.Tests.Verification;

/// <summary>Verification of a forecast dataset against truth: matching by name, level and valid time, regridding, CSV.</summary>
public sealed class ForecastVerificationTests
{
    private static readonly DateTime Init = new(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);

    /// <summary>An in-memory dataset: fields computed from (variable, level, time, member, lat, lon).</summary>
    private sealed class FunctionDataset(
        double[] latitudes, double[] longitudes, DateTime[] times, int members, DatasetVariable[] variables,
        Func<string, double, DateTime, int, double, double, double> value) : IGriddedDataset
    {
        public string Source => "memory";

        public IReadOnlyList<double> Latitudes => latitudes;

        public IReadOnlyList<double> Longitudes => longitudes;

        public IReadOnlyList<DateTime> Times => times;

        public int Members => members;

        public IReadOnlyList<DatasetVariable> Variables => variables;

        public float[] ReadField(string variable, int time, int level = 0, int member = 0)
        {
            var v = variables.Single(x => x.Name == variable);
            var p = v.HasLevels ? v.LevelsHpa[level] : 0;
            return [.. latitudes.SelectMany(lat => longitudes.Select(lon => (float)value(variable, p, times[time], member, lat, lon)))];
        }

        public void Dispose()
        {
        }
    }

    private static double Truth(string variable, double level, DateTime time, double lat, double lon) =>
        (variable is "t" or "temperature" ? 250 : 5) + (level / 100) + ((time - Init).TotalHours / 6) + (Math.Sin(lat * Math.PI / 180) * 20) + Math.Cos(lon * Math.PI / 180);

    private static readonly double[] ForecastLat = [-90, -60, -30, 0, 30, 60, 90];
    private static readonly double[] ForecastLon = [.. Enumerable.Range(0, 12).Select(i => 30.0 * i)];
    private static readonly DateTime[] ForecastTimes = [Init.AddHours(6), Init.AddHours(12), Init.AddHours(18)];

    private static FunctionDataset Forecast(int members, Func<int, double> error) => new(
        ForecastLat, ForecastLon, ForecastTimes, members,
        [new DatasetVariable(Variables.Temperature, "K", [500.0, 850.0]), new DatasetVariable(Variables.UWind10m, "m s**-1", [])],
        (v, p, t, m, lat, lon) => Truth(v, p, t, lat, lon) + error(m));

    // Truth: CF short names, latitude descending, an extra level, one time the forecast lacks and one it has not reached.
    private static readonly FunctionDataset TruthData = new(
        [.. ForecastLat.Reverse()], ForecastLon, [Init, Init.AddHours(6), Init.AddHours(12)], 1,
        [new DatasetVariable("t", "K", [300.0, 500.0, 850.0]), new DatasetVariable("u10", "m s**-1", [])],
        (v, p, t, m, lat, lon) => Truth(v, p, t, lat, lon));

    [Fact]
    public void A_perfect_forecast_scores_zero_at_every_shared_variable_level_and_valid_time()
    {
        var rows = ForecastVerification.Run(Forecast(3, _ => 0), TruthData, null, Init);

        // temperature at 500 and 850 hPa and 10 m u, each at +6 h and +12 h (the truth ends before +18 h).
        Assert.Equal(6, rows.Count);
        Assert.Equal(
            ["temperature 500 6", "temperature 500 12", "temperature 850 6", "temperature 850 12", "10m_u_component_of_wind  6", "10m_u_component_of_wind  12"],
            rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Variable} {r.LevelHpa} {r.LeadTime.TotalHours}")));
        Assert.All(rows, r =>
        {
            Assert.Equal(0.0, r.Score.RmseOfMean);
            Assert.Equal(0.0, r.Score.Crps);
            Assert.Equal(3, r.Score.Members);
        });
    }

    [Fact]
    public void Member_offsets_give_known_rmse_crps_spread_and_a_csv_row_per_variable_level_and_lead_time()
    {
        // Members off by −1, 0, +2 everywhere: mean off by 1/3; member RMSEs 1, 0, 2; CRPS = mean|e| − Σ|ei−ej|/(2·3·2) = 1 − 12/12 = 0.
        double[] offsets = [-1, 0, 2];
        var rows = ForecastVerification.Run(Forecast(3, m => offsets[m]), TruthData, TruthData, Init);
        var first = rows[0].Score;
        Assert.Equal(1.0 / 3, first.RmseOfMean, 1e-4);
        Assert.Equal([1.0, 0.0, 2.0], first.RmseOfMembers.Select(x => Math.Round(x, 4)));
        Assert.Equal(0.0, first.Crps, 1e-4);
        Assert.Equal(Math.Sqrt(((16.0 / 9) + (1.0 / 9) + (25.0 / 9)) / 2), first.Spread, 1e-4);

        var csv = ForecastVerification.ToCsv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("variable,level_hpa,lead_time_hours,valid_time,members,rmse_ensemble_mean,acc,crps,spread,spread_skill_ratio,rmse_member_0,rmse_member_1,rmse_member_2", csv[0]);
        Assert.Equal(7, csv.Length);
        Assert.StartsWith("temperature,500,6,2024-06-03T12:00Z,3,", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("10m_u_component_of_wind,,12,2024-06-03T18:00Z,3,", csv[6], StringComparison.Ordinal);
    }

    [Fact]
    public void Truth_without_any_shared_valid_time_is_one_error_listing_both_sets_of_times()
    {
        var late = new FunctionDataset(ForecastLat, ForecastLon, [Init.AddDays(3)], 1, [new DatasetVariable("t", "K", [500.0])], (v, p, t, m, lat, lon) => 0);
        var e = Assert.Throws<ArgumentException>(() => ForecastVerification.Run(Forecast(1, _ => 0), late, null, Init));
        Assert.Contains("Nothing to verify", e.Message, StringComparison.Ordinal);
        Assert.Contains("2024-06-06T06:00Z", e.Message, StringComparison.Ordinal);
    }
}
