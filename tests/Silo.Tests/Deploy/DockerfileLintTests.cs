using System.Diagnostics;
using GraphCast.Testing;

namespace GraphCast.Orleans.Silo.Tests.Deploy;

/// <summary>
/// The Dockerfiles of deploy/docker pass an offline Dockerfile linter (dockerfile-utils, pinned in package.json beside
/// Azurite), and the linter does catch a broken one, so a clean result means something.
/// </summary>
public sealed class DockerfileLintTests
{
    private static readonly string Root = RepositoryRoot.Find();

    public static TheoryData<string> Dockerfiles => new() { "silo.Dockerfile", "cli.Dockerfile" };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public async Task The_dockerfile_lints_clean(string name)
    {
        var (code, output) = await LintAsync(Path.Combine(Root, "deploy", "docker", name));
        Assert.True(code == 0 && output.Length == 0, $"dockerfile-utils lint {name} (exit {code}):\n{output}");
    }

    [Fact]
    public async Task The_linter_reports_a_broken_dockerfile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.Dockerfile");
        await File.WriteAllTextAsync(file, "FROM\nEXPOSE abc\n");
        try
        {
            var (code, output) = await LintAsync(file);
            Assert.Equal(1, code);
            Assert.Contains("Error: Instruction has no arguments", output, StringComparison.Ordinal);
            Assert.Contains("Error: Invalid containerPort: abc", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Code, string Output)> LintAsync(string dockerfile)
    {
        var linter = Path.Combine(Root, "node_modules", ".bin", "dockerfile-utils");
        Assert.True(File.Exists(linter), $"{linter} is missing: run 'npm ci' in the repository (scripts/test.sh does).");
        var start = new ProcessStartInfo(linter, ["lint", dockerfile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }
}
