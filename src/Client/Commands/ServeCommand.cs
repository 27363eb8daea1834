using System.CommandLine;
using GraphCast.Orleans.Client.Cluster;
using GraphCast.Orleans.Client.Errors;
using GraphCast.Orleans.Client.Hosting;
using GraphCast.Orleans.Client.Runs;
using GraphCast.Orleans.Storage.Schedules;

namespace GraphCast.Orleans.Client.Commands;

/// <summary>
/// <c>graphcast serve --output DIR</c>: a long-running embedded silo over a local store, on which the store's schedules tick
/// (in-memory reminders, re-registered from <c>DIR/schedules/</c> by its sweep at start) and their runs run. It publishes
/// itself in <c>DIR/serve.json</c> so that <c>graphcast schedule … --output DIR</c> reaches it, and stops cleanly on
/// Ctrl-C or SIGTERM (runs in flight keep their checkpoints and resume at the next start).
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run an embedded silo over a local store until Ctrl-C or SIGTERM: its schedules tick and their runs run here; 'graphcast schedule … --output DIR' talks to it.");
        var output = CliOptions.Text("--output", $"The local storage folder (default {RunStorage.DefaultDirectory}); created if missing.", "DIR");
        var apiPort = CliOptions.Int("--api-port", "Serve the HTTP API (/v1/runs, docs/api.md) on this port; its keys come from configuration (GRAPHCAST_Api__Keys__0__Name, …__Sha256, …__Role). 0: no API.", 0, min: 0);
        command.Options.Add(output);
        command.Options.Add(apiPort);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(output) ?? RunStorage.DefaultDirectory;
            if (dir.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--output {dir}: 'serve' keeps a local storage folder; schedules on Azure storage tick on a cluster (graphcast schedule … --cluster).");
            }

            if (ServeProfile.FindRunning(dir) is { } running)
            {
                throw new UsageException($"A 'graphcast serve' already runs on {Path.GetFullPath(dir)} ({running}); stop it first, or serve another folder.");
            }

            var console = parse.InvocationConfiguration.Output;
            Directory.CreateDirectory(dir);
            console.WriteLine($"Starting an embedded silo (storage: {Path.GetFullPath(dir)}) ...");
            var port = parse.GetValue(apiPort);
            if (port > 65535)
            {
                throw new UsageException($"--api-port {port} is not a TCP port: give 1 to 65535, or 0 for no API.");
            }

            var settings = port == 0
                ? null
                : new Dictionary<string, string?> { ["Api:Enabled"] = "true", ["Api:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            EmbeddedSilo started;
            try
            {
                started = await EmbeddedSilo.StartAsync(dir, null, cancellationToken, settings: settings);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e) when (e.OptionsName == "Api")
            {
                throw new UsageException(
                    $"--api-port: {string.Join(" ", e.Failures)} Give keys as GRAPHCAST_Api__Keys__0__Name, GRAPHCAST_Api__Keys__0__Sha256 (printf %s \"$KEY\" | sha256sum) and GRAPHCAST_Api__Keys__0__Role (read or submit).");
            }

            await using (var silo = started)
            {
                if (port != 0)
                {
                    console.WriteLine($"HTTP API: http://localhost:{port}/v1/runs (OpenAPI: /openapi/v1.json; a key in the X-Api-Key header).");
                }

                ServeProfile.Write(dir, silo.ClientConfiguration);
                try
                {
                    var schedules = await new ScheduleStore(silo.Storage).ListAsync(cancellationToken);
                    console.WriteLine($"Serving {Path.GetFullPath(dir)}: {schedules.Count} schedule(s) tick here; manage them with 'graphcast schedule … --output {dir}'. Ctrl-C or SIGTERM stops.");
                    await silo.WaitForStopRequestAsync(cancellationToken);
                    console.WriteLine("Stopping: runs in flight keep their checkpoints and resume at the next start ...");
                }
                finally
                {
                    ServeProfile.Remove(dir);
                }
            }

            console.WriteLine("Stopped.");
            return ExitCodes.Success;
        });
        return command;
    }
}
