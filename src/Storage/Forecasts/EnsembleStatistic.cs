using System.Text.Json.Nodes;

namespace GraphCast.Orleans.Storage.Forecasts;

/// <summary>Which ensemble statistic an array of the statistics store holds.</summary>
public enum EnsembleStatistic
{
    /// <summary>Ensemble mean.</summary>
    Mean,

    /// <summary>Ensemble spread: sample standard deviation over members, ddof = 1.</summary>
    Spread,
}
