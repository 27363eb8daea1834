namespace GraphCast.Orleans.Silo.Health;

/// <summary>
/// The Orleans dashboard's services (when <c>Dashboard:Enabled</c>): the silo registers them, and the health endpoint's own
/// small web host forwards these service types to the silo's instances so that it can serve the dashboard at <c>/dashboard</c>.
/// </summary>
/// <param name="Services">The service types the dashboard's endpoints resolve.</param>
internal sealed record SiloDashboard(IReadOnlyList<Type> Services)
{
    /// <summary>The route of the dashboard on the health port.</summary>
    public const string Route = "/dashboard";
}
