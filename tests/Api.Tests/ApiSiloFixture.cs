namespace GraphCast.Orleans.Api.Tests;

/// <summary>One API silo shared by the tests of a class (a silo start is seconds; the tests use distinct run ids).</summary>
public sealed class ApiSiloFixture : IAsyncLifetime
{
    public ApiSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await ApiSilo.StartAsync();

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}
