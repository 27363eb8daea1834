using System.Diagnostics;
using System.Text.Json;
using GraphCast.Testing;

namespace GraphCast.Model.Tests;

/// <summary>
/// <c>-p:TorchBackend=cpu|cuda</c> picks the LibTorch native package of the same LibTorch version; any other value stops the
/// build with one line. The project is evaluated with <c>dotnet msbuild -getItem</c>, which restores nothing: the CUDA
/// package is not downloaded here.
/// </summary>
public sealed class TorchBackendTests
{
    private static readonly string Project = Path.Combine(RepositoryRoot.Find(), "src", "Model", "GraphCast.Model.csproj");

    [Theory]
    [InlineData(null, "libtorch-cpu-linux-x64")]
    [InlineData("cpu", "libtorch-cpu-linux-x64")]
    [InlineData("cuda", "libtorch-cuda-12.8-linux-x64")]
    public async Task The_backend_selects_its_libtorch_package_at_the_one_libtorch_version(string? backend, string expected)
    {
        string[] arguments = ["msbuild", Project, "-getItem:PackageReference", "-getItem:PackageVersion", .. backend is null ? Array.Empty<string>() : [$"-p:TorchBackend={backend}"]];
        var (code, output) = await DotnetAsync(arguments);
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output);
        var items = json.RootElement.GetProperty("Items");
        var references = items.GetProperty("PackageReference").EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["TorchSharp", expected], references);
        var versions = items.GetProperty("PackageVersion").EnumerateArray().ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.GetProperty("Version").GetString()!);
        // The CUDA package carries the same LibTorch as the CPU one, which TorchSharp 0.107.0 binds.
        Assert.Equal("2.10.0", versions[expected]);
        Assert.Equal(versions["libtorch-cpu-linux-x64"], versions["libtorch-cuda-12.8-linux-x64"]);
        Assert.Equal("0.107.0", versions["TorchSharp"]);
    }

    [Fact]
    public async Task Another_backend_stops_the_build_with_one_line_naming_the_values()
    {
        var (code, output) = await DotnetAsync(["msbuild", Project, "-t:GetTargetPath", "-p:TorchBackend=rocm", "-nologo", "-v:q"]);
        Assert.NotEqual(0, code);
        var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.Contains("error", StringComparison.Ordinal)).Distinct().ToList();
        var error = Assert.Single(errors);
        Assert.EndsWith("error : TorchBackend 'rocm' must be 'cpu' (libtorch-cpu-linux-x64, the default) or 'cuda' (libtorch-cuda-12.8-linux-x64): build with -p:TorchBackend=cpu or -p:TorchBackend=cuda.", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> DotnetAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // No node reuse: the evaluation leaves no MSBuild server behind.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
