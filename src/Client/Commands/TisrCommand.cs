using System.CommandLine;
using System.Globalization;
using GraphCast.Model.Forcings;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Commands;

/// <summary><c>graphcast tisr --time ISO8601 --lat DEG --lon DEG</c>: TOA incident solar radiation over the hour ending at the time.</summary>
public static class TisrCommand
{
    public static Command Create()
    {
        var command = new Command("tisr", "TOA incident solar radiation (J/m²) over the hour ending at a time, at a point (ERA5's algorithm).");
        var time = CliOptions.Time("--time", "The end of the hour (UTC), e.g. 2024-06-03T12:00Z.");
        time.Required = true;
        var lat = CliOptions.Number("--lat", "Latitude (degrees north, -90 to 90).", "45.0");
        lat.Required = true;
        var lon = CliOptions.Number("--lon", "Longitude (degrees east).", "7.5");
        lon.Required = true;
        command.Options.Add(time);
        command.Options.Add(lat);
        command.Options.Add(lon);
        command.SetAction(parse =>
        {
            var (t, latitude, longitude) = (parse.GetValue(time)!.Value, parse.GetValue(lat)!.Value, parse.GetValue(lon)!.Value);
            if (latitude is < -90 or > 90)
            {
                throw new UsageException($"--lat {latitude.ToString(CultureInfo.InvariantCulture)} is outside −90..90 degrees.");
            }

            var value = new SolarRadiation().AtPoint(t, latitude, longitude);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value:F1} J/m²  (TOA incident solar radiation, hour ending {t:yyyy-MM-ddTHH:mm:ssZ}, lat {latitude}, lon {longitude})"));
            return 0;
        });
        return command;
    }
}
