using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using GraphCast.Testing;

namespace GraphCast.Orleans.Client.Tests;

/// <summary>
/// A published <c>graphcast</c> (<c>dotnet publish src/Client</c>) copied to a temporary folder outside the checkout runs a
/// forecast and lists it there; <c>cluster up</c> without any Azurite says in one line how to point it at one.
/// </summary>
public sealed class PublishedCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gc-published-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_published_cli_outside_the_checkout_runs_a_forecast_and_lists_it_as_json()
    {
        var root = RepositoryRoot.Find();
        Assert.False(_folder.StartsWith(root, StringComparison.Ordinal), $"{_folder} is inside the checkout {root}");
        // The configuration this test project was built in: its build of src/Client is what gets published (no rebuild).
        var configuration = typeof(PublishedCliTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var app = Path.Combine(_folder, "app");
        var publish = await RunAsync("dotnet", root, null, "publish", Path.Combine(root, "src", "Client"), "-c", configuration, "--no-build", "-o", app);
        Assert.True(publish.Code == 0, publish.Out + publish.Err);
        var graphcast = Path.Combine(app, "graphcast");
        Assert.True(File.Exists(graphcast), $"no apphost in {app}");

        var work = Directory.CreateDirectory(Path.Combine(_folder, "work")).FullName;
        var forecast = await RunAsync(graphcast, work, null, "forecast", "--preset", "tiny", "--members", "2", "--steps", "2", "--run-id", "published");
        Assert.True(forecast.Code == 0, forecast.Out + forecast.Err);
        Assert.Contains("Run published: Completed", forecast.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "graphcast-output", "runs", "published", "forecast.zarr", ".zmetadata")));

        var runs = await RunAsync(graphcast, work, null, "runs", "--json");
        Assert.True(runs.Code == 0, runs.Out + runs.Err);
        using var json = JsonDocument.Parse(runs.Out);
        var run = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(("published", "Completed", 4), (run.GetProperty("run_id").GetString(), run.GetProperty("state").GetString(), run.GetProperty("member_steps_done").GetInt32()));

        // No checkout and no Azurite on the PATH: one line naming --azurite, and nothing started.
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var up = await RunAsync(graphcast, work, new() { ["PATH"] = "/usr/bin:/bin", ["DOTNET_ROOT"] = dotnetRoot, ["GRAPHCAST_AZURITE"] = "" }, "cluster", "up", "--dir", Path.Combine(work, "cluster"));
        Assert.Equal(2, up.Code);
        Assert.Single(up.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains("--azurite PATH", up.Err, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(string program, string directory, Dictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? [])
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
