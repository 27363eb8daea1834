namespace GraphCast.Orleans.Abstractions.Tests;

/// <summary>The wire records: perturbation syntax, spec equality (how a resubmitted run id is judged), member keys.</summary>
public sealed class ForecastSpecTests
{
    private static ForecastSpec Spec() => new()
    {
        RunId = "r1",
        Model = "tiny",
        InitTime = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc),
        Steps = 4,
        Members = 3,
        OutputVariables = ["2m_temperature"],
    };

    [Theory]
    [InlineData("none", PerturbationKind.None, 0, 0)]
    [InlineData("gaussian:0.05", PerturbationKind.Gaussian, 0.05, 0)]
    [InlineData("correlated:0.1:500", PerturbationKind.Correlated, 0.1, 500)]
    public void Perturbations_parse_and_print_back(string text, PerturbationKind kind, double amplitude, double length)
    {
        var p = PerturbationSpec.Parse(text);
        Assert.Equal(kind, p.Kind);
        Assert.Equal(amplitude, p.Amplitude);
        Assert.Equal(length, p.LengthKm);
        Assert.Equal(text, p.ToString());
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("gaussian:-1")]
    [InlineData("gaussian:abc")]
    [InlineData("correlated:0.1")]
    [InlineData("uniform:0.1")]
    public void Bad_perturbations_say_the_accepted_forms(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => PerturbationSpec.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Specs_are_equal_by_content_including_the_output_list()
    {
        Assert.Equal(Spec(), Spec() with { OutputVariables = ["2m_temperature"] });
        Assert.NotEqual(Spec(), Spec() with { OutputVariables = ["temperature"] });
        Assert.NotEqual(Spec(), Spec() with { Steps = 5 });
        Assert.NotEqual(Spec(), Spec() with { Perturbation = PerturbationSpec.Parse("gaussian:0.1") });
    }

    [Fact]
    public void Member_keys_join_run_id_and_index() => Assert.Equal("run-7/12", IEnsembleMemberGrain.Key("run-7", 12));
}
