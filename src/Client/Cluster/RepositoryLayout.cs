using System.Diagnostics;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// Where the checkout this program was built from keeps what a local cluster needs: the solution folder and its pinned
/// Azurite (package.json / package-lock.json, installed with <c>npm ci</c> on first use).
/// </summary>
public static class RepositoryLayout
{
    public const string SolutionFileName = "GraphCast.Orleans.sln";

    /// <summary>The folder holding the solution, above this program's folder or the working directory.</summary>
    public static string Root()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)) && File.Exists(Path.Combine(dir.FullName, "package-lock.json")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"A local cluster runs from a checkout of GraphCast.Orleans: {SolutionFileName} and package-lock.json were not found above " +
            $"{AppContext.BaseDirectory} or {Environment.CurrentDirectory}. Run it with 'dotnet run --project src/Client -- cluster up' in the checkout.");
    }

    /// <summary>The Azurite launcher of <paramref name="root"/>; runs <c>npm ci</c> there first when it is missing.</summary>
    public static async Task<string> AzuriteAsync(string root, TextWriter? output, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (File.Exists(path))
        {
            return path;
        }

        output?.WriteLine("Installing Azurite from package-lock.json (npm ci) ...");
        var start = new ProcessStartInfo("npm") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FileNotFoundException($"Azurite is not installed in {root}/node_modules and npm was not found ({e.Message}). Install Node.js (with npm), then run 'npm ci' in {root}.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException($"'npm ci' in {root} failed (exit {process.ExitCode}): {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
            }
        }

        return path;
    }
}
