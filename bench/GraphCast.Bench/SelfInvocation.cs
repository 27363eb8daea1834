using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace GraphCast.Bench;

/// <summary>
/// Runs one benchmark configuration in a child process of this same program (<c>--single …</c>), so that each
/// configuration's peak memory and allocator state are its own; the child writes its result as JSON to a file.
/// </summary>
internal static class SelfInvocation
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static T Run<T>(IEnumerable<string> arguments)
    {
        var result = Path.Combine(Path.GetTempPath(), $"graphcast-bench-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo { UseShellExecute = false };
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            // Started as `dotnet GraphCast.Bench.dll`: pass the assembly again.
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var a in arguments.Concat(["--result", result]))
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
            child.WaitForExit();
            if (child.ExitCode != 0)
            {
                throw new InvalidOperationException($"The benchmark child `{string.Join(' ', start.ArgumentList)}` exited with code {child.ExitCode}.");
            }

            return JsonSerializer.Deserialize<T>(File.ReadAllText(result), Json)
                ?? throw new InvalidOperationException($"The benchmark child wrote an empty result to {result}.");
        }
        finally
        {
            File.Delete(result);
        }
    }

    public static void WriteResult<T>(T value, string path) => File.WriteAllText(path, JsonSerializer.Serialize(value, Json));
}
