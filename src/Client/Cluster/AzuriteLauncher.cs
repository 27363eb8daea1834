using System.Diagnostics;
using GraphCast.Orleans.Client.Errors;

namespace GraphCast.Orleans.Client.Cluster;

/// <summary>
/// Finds the Azurite launcher a local cluster runs: the one named with <c>--azurite PATH</c>, else <c>GRAPHCAST_AZURITE</c>,
/// else the pinned one of the GraphCast.Orleans checkout this program runs from or in (package-lock.json, installed with
/// <c>npm ci</c> on first use), else <c>azurite</c> on the PATH. A published <c>graphcast</c> needs no checkout for anything
/// else.
/// </summary>
public static class AzuriteLauncher
{
    public const string SolutionFileName = "GraphCast.Orleans.sln";

    /// <summary>The environment variable naming an installed Azurite launcher.</summary>
    public const string EnvironmentVariable = "GRAPHCAST_AZURITE";

    /// <summary>The launcher to run; a path that does not exist, or no Azurite anywhere, is a one-line error naming the fix.</summary>
    public static async Task<string> FindAsync(string? path, TextWriter? output, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            return File.Exists(path)
                ? Path.GetFullPath(path)
                : throw new UsageException($"--azurite {path}: no such file; give the path of an installed Azurite launcher (e.g. \"$(npm prefix -g)/bin/azurite\" after 'npm install -g azurite@3.37.0').");
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return File.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new UsageException($"{EnvironmentVariable}={fromEnvironment}: no such file; point it at an installed Azurite launcher, or unset it.");
        }

        if (CheckoutRoot() is { } root)
        {
            return await FromCheckoutAsync(root, output, cancellationToken).ConfigureAwait(false);
        }

        return OnPath() ?? throw new UsageException(
            $"Azurite was not found (no GraphCast.Orleans checkout above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}, none on the PATH): " +
            "install it with 'npm install -g azurite@3.37.0' and run 'graphcast cluster up --azurite PATH' with its launcher.");
    }

    /// <summary>The folder holding the solution and package-lock.json, above this program's folder or the working directory; null outside a checkout.</summary>
    public static string? CheckoutRoot()
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

        return null;
    }

    private static string? OnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "azurite"))
            .FirstOrDefault(File.Exists);

    /// <summary>The Azurite launcher of the checkout <paramref name="root"/>; runs <c>npm ci</c> there first when it is missing.</summary>
    private static async Task<string> FromCheckoutAsync(string root, TextWriter? output, CancellationToken cancellationToken)
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
            throw new FileNotFoundException($"Azurite is not installed in {root}/node_modules and npm was not found ({e.Message}). Install Node.js (with npm), then run 'npm ci' in {root}, or give an installed Azurite with --azurite PATH.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new ClusterException($"'npm ci' in {root} failed (exit {process.ExitCode}): {ExitCodes.OneLine(await stderr.ConfigureAwait(false) + await stdout.ConfigureAwait(false))}");
            }
        }

        return path;
    }
}
