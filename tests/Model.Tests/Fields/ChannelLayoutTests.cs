using GraphCast.Model.Configuration;
using GraphCast.Model.Fields;

namespace GraphCast.Model.Tests.Fields;

/// <summary>Channel counts and orders of the published presets (graphcast.md §1.6).</summary>
public sealed class ChannelLayoutTests
{
    [Theory]
    [InlineData("graphcast-0.25deg", 474, 227)]
    [InlineData("graphcast-small", 186, 83)]
    [InlineData("graphcast-operational", 184, 83)]
    public void Published_presets_have_the_reference_channel_counts(string preset, int inputsWithStructural, int outputs)
    {
        var layout = new TaskLayout(Presets.Get(preset).Task);
        Assert.Equal(inputsWithStructural, layout.InputChannels + TaskLayout.StructuralNodeFeatures);
        Assert.Equal(outputs, layout.OutputChannels);
    }

    [Fact]
    public void Inputs_of_the_37_level_model_are_stacked_in_sorted_order_with_the_reference_counts()
    {
        var layout = new TaskLayout(Presets.Task37);
        (string, int)[] expected =
        [
            ("10m_u_component_of_wind", 2), ("10m_v_component_of_wind", 2), ("2m_temperature", 2), ("day_progress_cos", 2),
            ("day_progress_sin", 2), ("geopotential", 74), ("geopotential_at_surface", 1), ("land_sea_mask", 1),
            ("mean_sea_level_pressure", 2), ("specific_humidity", 74), ("temperature", 74), ("toa_incident_solar_radiation", 2),
            ("total_precipitation_6hr", 2), ("u_component_of_wind", 74), ("v_component_of_wind", 74), ("vertical_velocity", 74),
            ("year_progress_cos", 2), ("year_progress_sin", 2),
        ];
        Assert.Equal(expected, layout.Inputs.Blocks.Select(b => (b.Variable, b.Count)));
        Assert.Equal(466, layout.Inputs.Count);
        Assert.Equal(["day_progress_cos", "day_progress_sin", "toa_incident_solar_radiation", "year_progress_cos", "year_progress_sin"], layout.Forcings.Variables);
        Assert.Equal(["geopotential_at_surface", "land_sea_mask"], layout.Static.Variables);
    }

    [Fact]
    public void Outputs_are_sorted_targets_with_levels_inner()
    {
        var task = Presets.Task13;
        var layout = new TaskLayout(task);
        Assert.Equal(
            ["10m_u_component_of_wind", "10m_v_component_of_wind", "2m_temperature", "geopotential", "mean_sea_level_pressure",
             "specific_humidity", "temperature", "total_precipitation_6hr", "u_component_of_wind", "v_component_of_wind", "vertical_velocity"],
            layout.Targets.Variables);
        var names = layout.Targets.ChannelNames(task).ToArray();
        Assert.Equal("geopotential:50hPa", names[3]);
        Assert.Equal("geopotential:1000hPa", names[15]);
        Assert.Equal("mean_sea_level_pressure", names[16]);
        Assert.Equal("vertical_velocity:1000hPa", names[82]);
    }

    [Fact]
    public void Within_a_variable_time_is_outer_and_level_inner()
    {
        var task = Presets.Task13;
        var layout = new TaskLayout(task);
        var t = layout.Inputs["temperature"];
        Assert.Equal(2, t.Frames);
        Assert.Equal(13, t.Levels);
        Assert.Equal(t.Offset + 13 + 2, t.ChannelOf(1, 2));
        var names = layout.Inputs.ChannelNames(task).ToArray();
        Assert.Equal("temperature@t-1:50hPa", names[t.Offset]);
        Assert.Equal("temperature@t0:50hPa", names[t.Offset + 13]);
    }

    [Fact]
    public void The_operational_task_has_no_precipitation_input_but_predicts_it()
    {
        var layout = new TaskLayout(Presets.Task13PrecipOut);
        Assert.False(layout.Inputs.Contains("total_precipitation_6hr"));
        Assert.True(layout.Targets.Contains("total_precipitation_6hr"));
        Assert.False(layout.Dynamic.Contains("total_precipitation_6hr"));
    }

    [Fact]
    public void Unknown_presets_and_variables_are_rejected_with_the_known_names()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("graphcast-huge"));
        Assert.Contains("graphcast-small", e.Message, StringComparison.Ordinal);
        var bad = Presets.Task13 with { InputVariables = [.. Presets.Task13.InputVariables, "snow_depth"] };
        var e2 = Assert.Throws<ArgumentException>(() => new TaskLayout(bad));
        Assert.Contains("'snow_depth'", e2.Message, StringComparison.Ordinal);
    }
}
