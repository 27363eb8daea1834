using System.Diagnostics;
using System.Text.Json;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Client.Cluster;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>
/// Silos that share no address: three silo processes, each listening only on its own loopback address (127.0.0.2, .3, .4)
/// and advertising it in the membership table, as silos on three hosts would. A run on them completes bit-identical to an
/// embedded run, through the kill -9 of the silo hosting a running member.
/// </summary>
[Collection(nameof(SystemTestCollection))]
public sealed class SeparateAddressesSystemTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Members = 3;
    private const int Steps = 10;
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

    private readonly string _directory = Directory.CreateTempSubdirectory("gc-addresses-").FullName;
    private LocalCluster? _cluster;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        _cluster = await LocalCluster.UpAsync(_directory, silos: 3, withoutCompute: 0, TextWriter.Null, timeout.Token, addresses: Addresses);
    }

    [Fact]
    public async Task A_forecast_runs_across_silos_that_share_no_address_and_survives_the_loss_of_one()
    {
        var cluster = _cluster!;
        // Each silo advertises its own address (S127.0.0.N:port:generation), and cluster status shows it.
        Assert.Equal(Addresses, cluster.Profile.Silos.Select(s => cluster.AddressOf(s.Name)![1..].Split(':')[0]));
        var text = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["cluster", "status", "--json", "--cluster-dir", _directory], text, text, CancellationToken.None));
        using (var json = JsonDocument.Parse(text.ToString()))
        {
            Assert.Equal(Addresses, json.RootElement.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("endpoint").GetString()!.Split(':')[0]));
        }

        var runId = "separate-addresses";
        await using var client = await ClusterConnection.ConnectAsync(_directory, CancellationToken.None);
        var run = client.Grains.GetGrain<IForecastRunGrain>(runId);
        await run.SubmitAsync(ClusterRuns.Spec(runId, Members, Steps));
        var running = await ClusterRuns.WaitAsync(run, s => s.Members.Any(m => m.State == MemberState.Running && m.Step >= 2 && m.Step < Steps - 3 && m.Silo is not null));
        var victim = running.Members.First(m => m.State == MemberState.Running && m.Step >= 2 && m.Silo is not null).Silo!;
        var name = cluster.NameOf(victim) ?? throw new InvalidOperationException($"No silo process has address {victim}.");
        var clock = Stopwatch.StartNew();
        cluster.KillSilo(name);

        var status = await ClusterRuns.WaitAsync(run, s => s.IsFinished);
        output.WriteLine($"kill -9 {name} ({victim}); the run finished {clock.Elapsed.TotalSeconds:F1} s later on {string.Join(", ", status.Members.Select(m => m.Silo).Distinct())}.");
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        Assert.All(status.Members, m => Assert.NotEqual(victim, m.Silo));
        await ClusterRuns.AssertEqualsSingleSiloRunAsync(client.Storage, runId, Members, Steps, output);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_cluster is not null)
            {
                await _cluster.DownAsync(TextWriter.Null);
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
