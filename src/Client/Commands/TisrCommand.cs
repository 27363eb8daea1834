using System.Globalization;
using GraphCast.Model.Forcings;

namespace GraphCast.Orleans.Client.Commands;

/// <summary><c>graphcast tisr --time ISO8601 --lat DEG --lon DEG</c>: TOA incident solar radiation over the hour ending at the time.</summary>
public static class TisrCommand
{
    public static int Run(CliArguments args, TextWriter output)
    {
        var time = args.Time("time");
        var lat = args.Double("lat", "45.0");
        var lon = args.Double("lon", "7.5");
        args.RejectUnknown("tisr");
        if (lat is < -90 or > 90)
        {
            throw new UsageException($"--lat {lat.ToString(CultureInfo.InvariantCulture)} is outside −90..90 degrees.");
        }

        var value = new SolarRadiation().AtPoint(time, lat, lon);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{value:F1} J/m²  (TOA incident solar radiation, hour ending {time:yyyy-MM-ddTHH:mm:ssZ}, lat {lat}, lon {lon})"));
        return 0;
    }
}
