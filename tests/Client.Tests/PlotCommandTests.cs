using GraphCast.Orleans.Client.Plots;
using SkiaSharp;

namespace GraphCast.Orleans.Client.Tests;

/// <summary><c>graphcast plot</c>: PNG maps and plumes of a stored run, and one-line errors for bad arguments.</summary>
public sealed class PlotCommandTests : IAsyncLifetime
{
    private StoredRunFixture _run = null!;

    public async Task InitializeAsync() => _run = await StoredRunFixture.CreateAsync();

    public Task DisposeAsync()
    {
        _run.Dispose();
        return Task.CompletedTask;
    }

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run([.. args, "--output", _run.Directory], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("--member", "1")]
    [InlineData("--mean", null)]
    [InlineData("--spread", null)]
    public void A_map_is_a_png_of_the_expected_size_whose_cells_take_the_colour_of_their_values(string choice, string? value)
    {
        var png = Path.Combine(_run.Directory, "map.png");
        string[] pick = value is null ? [choice] : [choice, value];
        var (code, output, error) = Run(["plot", StoredRunFixture.RunId, "--var", "temperature", "--level", "850", "--step", "2", .. pick, "--out", png]);
        Assert.True(code == 0, error);
        Assert.Contains("valid 2024-06-03 18:00Z", output, StringComparison.Ordinal);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((FieldMap.Width, FieldMap.Height), (bitmap.Width, bitmap.Height));
        Assert.True(LuminanceVariance(bitmap) > 100, "the image is (nearly) blank");

        // Values grow with latitude and longitude in the fixture (the spread is flat: 0.25·(step+1)·std of 0,1,2 members),
        // so the cell of the largest value takes the top colour, the smallest the bottom one.
        if (choice != "--spread")
        {
            Assert.Equal(PlotStyle.Colour(1), CellColour(bitmap, lat: 60, lon: 315));
            Assert.Equal(PlotStyle.Colour(0), CellColour(bitmap, lat: -60, lon: 0));
        }
    }

    [Fact]
    public void A_surface_map_defaults_to_the_ensemble_mean_and_its_title_names_the_variable_units_and_valid_time()
    {
        var png = Path.Combine(_run.Directory, "t2m.png");
        var (code, output, error) = Run("plot", StoredRunFixture.RunId, "--var", "2m_temperature", "--step", "1", "--out", png);
        Assert.True(code == 0, error);
        Assert.Contains("2m_temperature [K], ensemble mean of 3 members (computed from forecast.zarr), valid 2024-06-03 12:00Z", output, StringComparison.Ordinal);
        using var bitmap = SKBitmap.Decode(png);
        Assert.True(LuminanceVariance(bitmap) > 100);
    }

    [Fact]
    public void A_plume_is_a_png_of_the_expected_size_at_the_nearest_grid_point()
    {
        var png = Path.Combine(_run.Directory, "plume.png");
        var (code, output, error) = Run("plot", StoredRunFixture.RunId, "--var", "temperature", "--level", "500", "--plume", "--lat", "28", "--lon", "-50", "--out", png);
        Assert.True(code == 0, error);
        Assert.Contains("3 members at 30°N 315°E", output, StringComparison.Ordinal);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((EnsemblePlume.Width, EnsemblePlume.Height), (bitmap.Width, bitmap.Height));
        Assert.True(LuminanceVariance(bitmap) > 100, "the image is (nearly) blank");
    }

    [Theory]
    [InlineData("no variable 'snow'; it has 2m_temperature, temperature", "--var", "snow", "--step", "1")]
    [InlineData("has steps 1 to 2 (lead times 6 h to 12 h)", "--var", "2m_temperature", "--step", "3")]
    [InlineData("has levels 500, 850 (hPa); pick one of them", "--var", "temperature", "--level", "700", "--step", "1")]
    [InlineData("add --level with one of 500, 850", "--var", "temperature", "--step", "1")]
    [InlineData("is a surface variable; drop --level", "--var", "2m_temperature", "--level", "500", "--step", "1")]
    [InlineData("has members 0 to 2", "--var", "2m_temperature", "--step", "1", "--member", "3")]
    [InlineData("Give one of --member M, --mean or --spread", "--var", "2m_temperature", "--step", "1", "--mean", "--spread")]
    [InlineData("--step is required", "--var", "2m_temperature")]
    [InlineData("drop --step", "--var", "2m_temperature", "--plume", "--lat", "0", "--lon", "0", "--step", "1")]
    public void Bad_arguments_give_one_line_naming_the_fix(string message, params string[] args)
    {
        var (code, output, error) = Run(["plot", StoredRunFixture.RunId, .. args]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Empty(Directory.GetFiles(Environment.CurrentDirectory, "*.png"));
    }

    [Fact]
    public void An_unknown_run_names_the_command_that_lists_runs()
    {
        var (code, _, error) = Run("plot", "no-such-run", "--var", "2m_temperature", "--step", "1");
        Assert.Equal(2, code);
        Assert.Contains("There is no run 'no-such-run'", error, StringComparison.Ordinal);
        Assert.Contains("'graphcast runs --output", error, StringComparison.Ordinal);
    }

    /// <summary>The colour at the centre of the grid cell of (<paramref name="lat"/>, <paramref name="lon"/>) on the map.</summary>
    private static SKColor CellColour(SKBitmap bitmap, float lat, float lon)
    {
        var area = FieldMap.MapArea;
        var west = StoredRunFixture.Layout.Longitudes[0] - 22.5;
        var x = area.Left + (float)((lon - west) / 360 * area.Width);
        var y = area.Top + (float)((90 - lat) / 180 * area.Height);
        return bitmap.GetPixel((int)x, (int)y);
    }

    private static double LuminanceVariance(SKBitmap bitmap)
    {
        double sum = 0, squares = 0;
        var n = bitmap.Width * bitmap.Height;
        foreach (var p in bitmap.Pixels)
        {
            double luminance = (0.299 * p.Red) + (0.587 * p.Green) + (0.114 * p.Blue);
            sum += luminance;
            squares += luminance * luminance;
        }

        var mean = sum / n;
        return (squares / n) - (mean * mean);
    }
}
