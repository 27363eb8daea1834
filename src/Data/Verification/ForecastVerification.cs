using System.Globalization;
using System.Text;
using GraphCast.Data.Datasets;
using GraphCast.Data.InitialConditions;
using GraphCast.Data.Regridding;

namespace GraphCast.Data.Verification;

/// <summary>
/// Verification of an ensemble forecast against truth from any dataset: for every variable the forecast and the truth share
/// (through <see cref="DatasetVariableMap"/>, so <c>t</c> in the truth verifies <c>temperature</c>), every shared level and
/// every forecast time the truth has, the truth (and climatology) regridded to the forecast grid and the
/// <see cref="EnsembleScores"/> scores.
/// </summary>
/// <remarks>
/// Members whose field holds NaN (not written: a run still going, or a failed member) are left out of that row; the row
/// records how many were scored. The climatology is matched to each valid time: the same time, else the same day of year and
/// hour (WeatherBench 2's selection), else — for a climatology with one time or none — that one field.
/// </remarks>
public static class ForecastVerification
{
    /// <summary>Scores <paramref name="forecast"/> (initialised at <paramref name="initTime"/>) against <paramref name="truth"/>.</summary>
    /// <exception cref="ArgumentException">Nothing to verify (no shared variable, level or time), or missing truth values.</exception>
    public static IReadOnlyList<VerificationRow> Run(IGriddedDataset forecast, IGriddedDataset truth, IGriddedDataset? climatology, DateTime initTime)
    {
        var fmap = new DatasetVariableMap(forecast);
        var tmap = new DatasetVariableMap(truth);
        var cmap = climatology is null ? null : new DatasetVariableMap(climatology);
        var lat = forecast.Latitudes;
        var lon = forecast.Longitudes;
        var toForecast = new LatLonRegridder(truth.Latitudes, truth.Longitudes, lat, lon);
        var climToForecast = climatology is null ? null : new LatLonRegridder(climatology.Latitudes, climatology.Longitudes, lat, lon);
        var rows = new List<VerificationRow>();
        var shared = fmap.ModelVariables.Where(tmap.Provides).ToArray();
        foreach (var v in forecast.Variables.Select(x => x.Name).Where(shared.Contains))
        {
            IReadOnlyList<double?> levels = fmap.LevelsOf(v).Count == 0
                ? [null]
                : fmap.LevelsOf(v).Where(p => tmap.LevelsOf(v).Any(q => Math.Abs(q - p) < 1e-6)).Select(p => (double?)p).ToArray();
            foreach (var p in levels)
            {
                for (var t = 0; t < forecast.Times.Count; t++)
                {
                    var valid = forecast.Times[t];
                    var truthIndex = DatasetInitialCondition.IndexOfTime(truth, valid);
                    if (truthIndex < 0)
                    {
                        continue;
                    }

                    var members = new List<float[]>();
                    for (var m = 0; m < forecast.Members; m++)
                    {
                        var field = fmap.Read(v, p, t, m);
                        if (Array.TrueForAll(field, float.IsFinite))
                        {
                            members.Add(field);
                        }
                    }

                    if (members.Count == 0)
                    {
                        continue;
                    }

                    var observed = toForecast.Regrid(tmap.Read(v, p, truthIndex));
                    if (!Array.TrueForAll(observed, float.IsFinite))
                    {
                        throw new ArgumentException($"The truth '{truth.Source}' has missing values in {v}{At(p)} at {Iso(valid)}; verification needs every grid point.");
                    }

                    float[]? clim = null;
                    if (cmap is not null && cmap.Provides(v) && (p is null || cmap.LevelsOf(v).Any(q => Math.Abs(q - p.Value) < 1e-6)))
                    {
                        clim = climToForecast!.Regrid(cmap.Read(v, p, ClimatologyIndex(climatology!, valid)));
                    }

                    rows.Add(new VerificationRow(v, p is null ? null : (int)Math.Round(p.Value), valid - initTime, valid,
                        EnsembleScores.Score(members, observed, clim, lat, lon.Count)));
                }
            }
        }

        if (rows.Count == 0)
        {
            throw new ArgumentException(
                $"Nothing to verify: the truth '{truth.Source}' shares no variable, level and valid time with the forecast. " +
                $"Forecast valid times: {string.Join(", ", forecast.Times.Select(Iso))}; truth times: {string.Join(", ", truth.Times.Select(Iso))}; " +
                $"truth variables: {string.Join(", ", tmap.ModelVariables)}.");
        }

        return rows;
    }

    /// <summary>The rows as CSV: one line per variable, level and lead time, with each member's RMSE in the last columns.</summary>
    public static string ToCsv(IReadOnlyList<VerificationRow> rows)
    {
        var members = rows.Max(r => r.Score.RmseOfMembers.Count);
        var text = new StringBuilder("variable,level_hpa,lead_time_hours,valid_time,members,rmse_ensemble_mean,acc,crps,spread,spread_skill_ratio");
        for (var m = 0; m < members; m++)
        {
            text.Append(CultureInfo.InvariantCulture, $",rmse_member_{m}");
        }

        text.Append('\n');
        foreach (var r in rows)
        {
            var s = r.Score;
            text.Append(CultureInfo.InvariantCulture,
                $"{r.Variable},{r.LevelHpa},{r.LeadTime.TotalHours:0.##},{Iso(r.ValidTime)},{s.Members},{Number(s.RmseOfMean)},{(s.Acc is { } a ? Number(a) : "")},{Number(s.Crps)},{Number(s.Spread)},{Number(s.SpreadSkillRatio)}");
            foreach (var rmse in s.RmseOfMembers)
            {
                text.Append(',').Append(Number(rmse));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The rows as an aligned table for a terminal.</summary>
    public static string ToTable(IReadOnlyList<VerificationRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("variable                     level  lead   members  rmse(mean)  rmse(members)       acc       crps     spread        ssr");
        foreach (var r in rows)
        {
            var s = r.Score;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Variable,-28} {(r.LevelHpa is { } l ? l.ToString(CultureInfo.InvariantCulture) : "-"),5}  {r.LeadTime.TotalHours,3:0}h  {s.Members,7}  {G(s.RmseOfMean),10}  {G(s.RmseOfMembers.Average()),13}  {(s.Acc is { } a ? a.ToString("F4", CultureInfo.InvariantCulture) : "-"),8}  {G(s.Crps),9}  {G(s.Spread),9}  {G(s.SpreadSkillRatio),9}"));
        }

        return text.ToString();
    }

    private static int ClimatologyIndex(IGriddedDataset climatology, DateTime valid)
    {
        var exact = DatasetInitialCondition.IndexOfTime(climatology, valid);
        if (exact >= 0)
        {
            return exact;
        }

        for (var i = 0; i < climatology.Times.Count; i++)
        {
            if (climatology.Times[i].DayOfYear == valid.DayOfYear && climatology.Times[i].Hour == valid.Hour)
            {
                return i;
            }
        }

        return climatology.Times.Count <= 1 ? 0
            : throw new ArgumentException($"The climatology '{climatology.Source}' has no field for {Iso(valid)} (same time, or same day of year and hour).");
    }

    private static string At(double? p) => p is { } x ? string.Create(CultureInfo.InvariantCulture, $" at {x} hPa") : "";

    private static string Iso(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Number(double x) => double.IsNaN(x) ? "" : x.ToString("R", CultureInfo.InvariantCulture);

    private static string G(double x) => double.IsNaN(x) ? "-" : x.ToString("G5", CultureInfo.InvariantCulture);
}
