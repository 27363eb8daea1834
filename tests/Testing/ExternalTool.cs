using System.Diagnostics;
using Xunit;

namespace GraphCast.Testing;

/// <summary>
/// Runs an independent program a test cross-checks against (Debian's python3 with numpy/xarray, ncdump, grib_get) and
/// returns its standard output; a missing program or module fails the test naming the Debian packages that provide it.
/// </summary>
public static class ExternalTool
{
    /// <summary>Debian's Python, which has python3-xarray, python3-zarr and python3-netcdf4 (not the pyenv one on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs <paramref name="tool"/> with <paramref name="args"/>; <paramref name="packages"/> are the Debian packages it needs.</summary>
    public static async Task<string> RunAsync(string tool, string packages, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} could not be started ({e.Message}): `apt-get install -y {packages}` (scripts/test.sh installs it).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                var stderr = await error;
                var fix = stderr.Contains("ModuleNotFoundError", StringComparison.Ordinal)
                    ? $"This test needs Debian's {packages}: `apt-get install -y {packages}` (scripts/test.sh installs them when CI=true). "
                    : string.Empty;
                Assert.Fail($"{fix}{tool} failed (exit code {process.ExitCode}):{Environment.NewLine}{stderr}");
            }

            return await output;
        }
    }
}
