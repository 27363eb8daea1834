// Forecast schedules on an embedded silo (localhost clustering, a local store, in-memory reminders, the system clock):
//   due     — an analytic schedule with a cycle every minute for N cycles (N minutes; 0 skips it): cycle time → run submitted;
//   arrival — a backfill of 7 data-triggered cycles whose data is written one file at a time: data written → run submitted;
//   idle    — an idle schedule's tick (one reconciliation), timed through the grain, and its process CPU time.
// Usage: dotnet run -c Release --project bench/GraphCast.Bench.Schedules -- [cycles (default 4)] [sample.nc]
using System.Diagnostics;
using System.Globalization;
using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Silo;
using GraphCast.Orleans.Storage.Blobs;
using GraphCast.Orleans.Storage.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var cycles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
var sample = args.Length > 1 ? args[1] : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/ifs-2024-06-03/pl_regular_ll.nc"));
var directory = Directory.CreateTempSubdirectory("gc-schedule-bench-").FullName;
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Cluster:Clustering"] = "localhost",
    ["Cluster:SiloPort"] = "0",
    ["Cluster:GatewayPort"] = "0",
    ["Storage:LocalDirectory"] = directory,
    ["Models:GraphCacheDirectory"] = Path.Combine(directory, ".graphs"),
    ["Engine:ManifestFlushInterval"] = "00:00:00.500",
});
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Orleans", LogLevel.Error);
builder.AddGraphCastSilo();
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();
var blobs = host.Services.GetRequiredService<IBlobStore>();
Console.WriteLine($"CPU: {CpuModel()}; {Environment.ProcessorCount} cores; store {directory}");

static string CpuModel() =>
    File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

static string Stats(IReadOnlyList<double> ms)
{
    var sorted = ms.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"n={sorted.Length} p50={P(0.5):0.0} ms p95={P(0.95):0.0} ms min={sorted[0]:0.0} ms max={sorted[^1]:0.0} ms");
}

async Task<IReadOnlyList<CycleRecord>> WaitAsync(IForecastScheduleGrain schedule, int count, TimeSpan timeout, Func<CycleRecord, bool> done)
{
    var deadline = DateTime.UtcNow + timeout;
    while (true)
    {
        var history = await schedule.HistoryAsync();
        if (history.Count(done) >= count)
        {
            return history;
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"{schedule.GetPrimaryKeyString()}: {history.Count(done)} of {count} cycles done after {timeout}.");
        }

        await Task.Delay(100);
    }
}

// 1. Due time → submitted, with the schedule's own timers and reminder (nobody calls TickAsync): a cycle every minute, so
//    this part takes `cycles` minutes of wall time; 0 skips it.
if (cycles > 0)
{
var due = grains.GetGrain<IForecastScheduleGrain>("due");
await due.AddAsync(new ScheduleRequest { Name = "due", Cron = "* * * * *", Preset = "tiny", Members = "1", Steps = "1", Perturb = "none" }.ToDefinition(DateTime.UtcNow));
Console.WriteLine($"due: waiting for {cycles} cycles, one a minute …");
var dueCycles = await WaitAsync(due, cycles, TimeSpan.FromMinutes(cycles + 2), c => c.SubmittedUtc is not null);
var dueLatency = dueCycles.Where(c => c.SubmittedUtc is not null).Take(cycles).Select(c => (c.SubmittedUtc!.Value - c.CycleTime).TotalMilliseconds).ToArray();
Console.WriteLine($"due → submitted: {Stats(dueLatency)}");
await due.PauseAsync();
}

// 2. Data arrival → submitted: seven backfilled cycles of the IFS sample's days, each waiting for its own file.
var arrival = grains.GetGrain<IForecastScheduleGrain>("arrival");
await arrival.AddAsync(new ScheduleRequest
{
    Name = "arrival", Cron = "0 */6 * * *", Preset = "tiny", Members = "1", Steps = "1", Perturb = "none",
    Init = "data/{cycle:yyyyMMddHH}.nc", Fill = "interpolate,analytic", Poll = "2s", MaxWait = "6h", MaxActive = "8",
}.ToDefinition(DateTime.UtcNow));
var first = new DateTime(2024, 6, 3, 6, 0, 0, DateTimeKind.Utc);
await arrival.BackfillAsync(first, first.AddHours(36));
var written = new Dictionary<DateTime, DateTime>();
var bytes = await File.ReadAllBytesAsync(sample);
for (var i = 0; i < 7; i++)
{
    await Task.Delay(3000);
    var cycle = first.AddHours(6 * i);
    await blobs.WriteAsync($"data/{cycle:yyyyMMddHH}.nc", new MemoryStream(bytes));
    written[cycle] = DateTime.UtcNow;
}

var arrived = await WaitAsync(arrival, 7, TimeSpan.FromMinutes(5), c => c.SubmittedUtc is not null);
var arrivalLatency = arrived.Where(c => c.SubmittedUtc is not null).Select(c => (c.SubmittedUtc!.Value - written[c.CycleTime]).TotalMilliseconds).ToArray();
Console.WriteLine($"data written → submitted (poll 2 s, Schedules:BusyTickInterval 5 s): {Stats(arrivalLatency)}");
await WaitAsync(arrival, 7, TimeSpan.FromMinutes(5), c => c.IsFinal);

// 3. An idle schedule's tick: nothing due for months, no cycle active.
var idle = grains.GetGrain<IForecastScheduleGrain>("idle");
await idle.AddAsync(new ScheduleRequest { Name = "idle", Cron = "0 0 1 1 *", Preset = "tiny" }.ToDefinition(DateTime.UtcNow));
for (var i = 0; i < 50; i++)
{
    await idle.TickAsync();
}

var process = Process.GetCurrentProcess();
var cpu = process.TotalProcessorTime;
var ticks = new List<double>();
var wall = Stopwatch.StartNew();
for (var i = 0; i < 500; i++)
{
    var one = Stopwatch.StartNew();
    await idle.TickAsync();
    ticks.Add(one.Elapsed.TotalMilliseconds);
}

wall.Stop();
process.Refresh();
var cpuPerTick = (process.TotalProcessorTime - cpu).TotalMilliseconds / ticks.Count;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"idle tick (grain call + one reconciliation: read schedule.json, no cycle read): {Stats(ticks)}; process CPU {cpuPerTick:0.00} ms per tick"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"an idle schedule ticks once per Schedules:TickPeriod (1 min): {cpuPerTick / 60_000 * 100:0.0000} % of one core"));
await host.StopAsync();
Directory.Delete(directory, recursive: true);
