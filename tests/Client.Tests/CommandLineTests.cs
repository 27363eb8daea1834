using System.Text.Json;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>The graphcast CLI's model commands and its one-line user errors.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("gc-cli-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Model_describe_reports_the_tiny_graphs_and_counts_as_json()
    {
        var (code, output, error) = Run("model", "describe", "--preset", "tiny", "--json", "--graph-cache", _cache);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.Equal("tiny", r.GetProperty("name").GetString());
        Assert.Equal(19 * 36, r.GetProperty("grid_nodes").GetInt32());
        Assert.Equal(162, r.GetProperty("mesh_nodes").GetInt32());
        Assert.Equal(60 + 240 + 960, r.GetProperty("mesh_edges").GetInt32());
        Assert.Equal(3 * 19 * 36, r.GetProperty("mesh2grid_edges").GetInt32());
        Assert.Equal(186, r.GetProperty("input_channels").GetInt32());
        Assert.Equal(83, r.GetProperty("output_channels").GetInt32());
        Assert.Equal(94, r.GetProperty("tensors").GetInt32());
        Assert.False(r.GetProperty("graph_from_cache").GetBoolean());

        var (_, again, _) = Run("model", "describe", "--preset", "tiny", "--json", "--graph-cache", _cache);
        using var second = JsonDocument.Parse(again);
        Assert.True(second.RootElement.GetProperty("graph_from_cache").GetBoolean());
    }

    [Fact]
    public void Model_describe_prints_the_published_small_model()
    {
        var (code, output, _) = Run("model", "describe", "--preset", "graphcast-small", "--graph-cache", _cache);
        Assert.Equal(0, code);
        Assert.Contains("262 tensors", output, StringComparison.Ordinal);
        Assert.Contains("181 × 360 = 65,160 nodes", output, StringComparison.Ordinal);
        Assert.Contains("10,242 nodes, 81,900 edges", output, StringComparison.Ordinal);
        Assert.Contains("mesh2grid edges    195,480", output, StringComparison.Ordinal);
        Assert.Contains("input channels     186 (183 data + 3 structural)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tisr_prints_joules_per_square_metre()
    {
        var (code, output, _) = Run("tisr", "--time", "2020-06-21T12:00Z", "--lat", "45", "--lon", "0");
        Assert.Equal(0, code);
        Assert.StartsWith("4372512.3 J/m²", output, StringComparison.Ordinal);
        var (night, nightOut, _) = Run("tisr", "--time", "2020-06-21T00:00Z", "--lat", "0", "--lon", "0");
        Assert.Equal(0, night);
        Assert.StartsWith("0.0 J/m²", nightOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_inits_and_applies_the_tiny_model()
    {
        var (code, output, _) = Run("demo", "--preset", "tiny", "--steps", "1");
        Assert.Equal(0, code);
        Assert.Contains("55,891 parameters in 94 tensors", output, StringComparison.Ordinal);
        Assert.Contains("   1  2024-06-03 12:00Z", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "forecastt" }, "Unrecognized command or argument 'forecastt'. Did you mean 'forecast'?")]
    [InlineData(new[] { "model", "describe" }, "Give exactly one of --preset")]
    [InlineData(new[] { "model", "describe", "--preset", "tiny", "--presett", "x" }, "Unrecognized command or argument '--presett'. Did you mean '--preset'?")]
    [InlineData(new[] { "tisr", "--time", "yesterday", "--lat", "1", "--lon", "2" }, "ISO 8601")]
    [InlineData(new[] { "tisr", "--time", "2020-01-01T00:00Z", "--lat", "91", "--lon", "2" }, "outside −90..90")]
    [InlineData(new[] { "demo", "--steps", "0" }, "--steps must be an integer ≥ 1")]
    public void User_errors_print_one_line_with_the_fix(string[] args, string expected)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_files_and_names_are_one_line_errors()
    {
        var (code, _, error) = Run("model", "describe", "--checkpoint", Path.Combine(_cache, "missing.npz"));
        Assert.Equal(2, code);
        Assert.Contains("missing.npz: no such file (the file does not exist)", error, StringComparison.Ordinal);
        var (code2, _, error2) = Run("model", "describe", "--preset", "graphcast-huge");
        Assert.Equal(1, code2);
        Assert.Contains("Known presets", error2, StringComparison.Ordinal);
    }
}
