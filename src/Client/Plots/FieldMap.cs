using SkiaSharp;

namespace GraphCast.Orleans.Client.Plots;

/// <summary>
/// A latitude–longitude map of one field on the model grid (plate carrée, each grid value a cell around its point), with a
/// colour bar and a two-line title, as a PNG.
/// </summary>
internal static class FieldMap
{
    public const int Width = 1000;
    public const int Height = 540;

    internal static readonly SKRect MapArea = new(70, 70, 870, 470);

    /// <summary>Draws <paramref name="values"/> (C order [lat, lon]) and writes the PNG to <paramref name="path"/>.</summary>
    public static void Render(IReadOnlyList<float> latitudes, IReadOnlyList<float> longitudes, ReadOnlySpan<float> values, string title, string subtitle, string units, string path)
    {
        if (values.Length != latitudes.Count * longitudes.Count)
        {
            throw new ArgumentException($"A map needs {latitudes.Count}×{longitudes.Count} values; {values.Length} were given.", nameof(values));
        }

        using var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var (min, max) = PlotStyle.Range(values.ToArray());

        // Longitudes wrap: the map starts half a cell west of the first longitude and spans 360°.
        var dLon = longitudes.Count > 1 ? Math.Abs(longitudes[1] - longitudes[0]) : 360.0;
        var west = longitudes[0] - (dLon / 2);
        float X(double lon) => MapArea.Left + (float)((((lon - west) % 360 + 360) % 360) / 360 * MapArea.Width);
        float Y(double lat) => MapArea.Top + (float)((90 - lat) / 180 * MapArea.Height);
        // Cell edges half-way between latitudes (either order), the outer ones half a spacing out, clamped to the poles.
        var n = latitudes.Count;
        var dLat = n > 1 ? latitudes[1] - latitudes[0] : 180.0;
        var latEdges = new double[n + 1];
        latEdges[0] = Math.Clamp(latitudes[0] - (dLat / 2), -90, 90);
        latEdges[n] = Math.Clamp(latitudes[n - 1] + (dLat / 2), -90, 90);
        for (var i = 1; i < n; i++)
        {
            latEdges[i] = (latitudes[i - 1] + latitudes[i]) / 2.0;
        }

        using (var cell = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill })
        {
            for (var i = 0; i < latitudes.Count; i++)
            {
                var top = Y(Math.Max(latEdges[i], latEdges[i + 1]));
                var bottom = Y(Math.Min(latEdges[i], latEdges[i + 1]));
                for (var j = 0; j < longitudes.Count; j++)
                {
                    var v = values[(i * longitudes.Count) + j];
                    cell.Color = float.IsFinite(v) ? PlotStyle.Colour((v - min) / (max - min)) : PlotStyle.Missing;
                    var left = X(longitudes[j] - (dLon / 2));
                    // One pixel of overlap hides seams between cells.
                    canvas.DrawRect(SKRect.Create(left, top, (float)(dLon / 360 * MapArea.Width) + 1, bottom - top + 1), cell);
                }
            }
        }

        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var small = PlotStyle.Font(13);
        canvas.DrawRect(MapArea, ink);
        foreach (var lat in new[] { -60, -30, 0, 30, 60 })
        {
            canvas.DrawLine(MapArea.Left - 4, Y(lat), MapArea.Left, Y(lat), ink);
            canvas.DrawText(lat == 0 ? "0°" : $"{Math.Abs(lat)}°{(lat > 0 ? "N" : "S")}", MapArea.Left - 7, Y(lat) + 4, SKTextAlign.Right, small, text);
        }

        for (var lon = Math.Ceiling(west / 60) * 60; lon < west + 360; lon += 60)
        {
            var x = X(lon);
            canvas.DrawLine(x, MapArea.Bottom, x, MapArea.Bottom + 4, ink);
            var east = ((lon % 360) + 360) % 360;
            var label = east switch { 0 => "0°", 180 => "180°", < 180 => $"{east:0}°E", _ => $"{360 - east:0}°W" };
            canvas.DrawText(label, x, MapArea.Bottom + 18, SKTextAlign.Center, small, text);
        }

        DrawColourBar(canvas, min, max, units, small, text, ink);
        using var big = PlotStyle.Font(18);
        canvas.DrawText(title, Width / 2f, 30, SKTextAlign.Center, big, text);
        canvas.DrawText(subtitle, Width / 2f, 54, SKTextAlign.Center, small, text);
        PlotStyle.SavePng(bitmap, path);
    }

    private static void DrawColourBar(SKCanvas canvas, double min, double max, string units, SKFont font, SKPaint text, SKPaint ink)
    {
        var bar = new SKRect(MapArea.Right + 30, MapArea.Top, MapArea.Right + 50, MapArea.Bottom);
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        for (var y = (int)bar.Top; y < (int)bar.Bottom; y++)
        {
            fill.Color = PlotStyle.Colour((bar.Bottom - y) / bar.Height);
            canvas.DrawRect(bar.Left, y, bar.Width, 1, fill);
        }

        canvas.DrawRect(bar, ink);
        for (var k = 0; k <= 4; k++)
        {
            var y = bar.Bottom - (k / 4f * bar.Height);
            canvas.DrawLine(bar.Right, y, bar.Right + 4, y, ink);
            canvas.DrawText(PlotStyle.Label(min + ((max - min) * k / 4)), bar.Right + 7, y + 4, SKTextAlign.Left, font, text);
        }

        canvas.DrawText(units, bar.MidX, bar.Top - 8, SKTextAlign.Center, font, text);
    }
}
