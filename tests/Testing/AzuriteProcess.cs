using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;

namespace GraphCast.Testing;

/// <summary>An Azurite storage emulator running as a child process on loopback ports, started and stopped by tests.</summary>
/// <remarks>
/// Azurite comes from the repository's own <c>node_modules</c> (pinned in package.json; <c>npm ci</c> installs it).
/// It runs under a small <c>/bin/sh</c> host script that holds the read end of a pipe from this process:
/// when this process closes it (<see cref="StopAsync"/>) or dies, the script sends Azurite SIGTERM, so no
/// emulator outlives its test host. <see cref="Kill"/> and <see cref="Dispose"/> end the whole process tree at once.
/// One test drives an instance at a time: the methods are not meant to be called concurrently.
/// </remarks>
public sealed partial class AzuriteProcess : IDisposable
{
    /// <summary>The storage emulator's well-known account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The storage emulator's well-known key, published by Microsoft for every emulator; not a secret.</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Azurite listens on loopback only: tests never expose storage to the network.</summary>
    public const string Host = "127.0.0.1";

    // Node's start-up on a busy 2-core CI machine takes a few seconds; a minute means something is wrong.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Azurite closes its servers and saves its metadata on SIGTERM within a second or two.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    // Runs Azurite ("$@") in the background and watches this process's pipe on fd 3: end of input means the
    // test host closed it or died, and Azurite gets SIGTERM (a clean shutdown that saves a disk store).
    // The script exits with Azurite's exit status. Background jobs of a non-interactive shell read /dev/null,
    // hence the explicit copy of stdin to fd 3.
    private const string HostScript = """
        exec 3<&0
        "$@" </dev/null 3<&- &
        azurite=$!
        { while read -r line <&3; do :; done; kill -TERM "$azurite" 2>/dev/null; } &
        watcher=$!
        wait "$azurite"
        status=$?
        kill "$watcher" 2>/dev/null
        exit "$status"
        """;

    private readonly string _executable;
    private Process? _process;
    private AzuriteOutput _output = new();

    private AzuriteProcess(string executable, AzuritePersistence persistence, string? dataDirectory)
    {
        _executable = executable;
        Persistence = persistence;
        DataDirectory = dataDirectory;
    }

    /// <summary>Where this instance keeps its data.</summary>
    public AzuritePersistence Persistence { get; }

    /// <summary>Azurite's <c>--location</c> folder for <see cref="AzuritePersistence.Disk"/>; null in memory.</summary>
    public string? DataDirectory { get; }

    /// <summary>The blob service's port; restarts keep it.</summary>
    public int BlobPort { get; private set; }

    /// <summary>The queue service's port; restarts keep it.</summary>
    public int QueuePort { get; private set; }

    /// <summary>The table service's port; restarts keep it.</summary>
    public int TablePort { get; private set; }

    /// <summary>The blob service endpoint, account included (<c>http://127.0.0.1:PORT/devstoreaccount1</c>).</summary>
    public Uri BlobEndpoint => ServiceEndpoint(BlobPort);

    /// <summary>The queue service endpoint, account included.</summary>
    public Uri QueueEndpoint => ServiceEndpoint(QueuePort);

    /// <summary>The table service endpoint, account included.</summary>
    public Uri TableEndpoint => ServiceEndpoint(TablePort);

    /// <summary>A connection string for Azure SDK clients, with explicit endpoints for this instance's ports.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>Whether Azurite is running (false after <see cref="StopAsync"/> or <see cref="Kill"/>).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The id of the host shell whose process tree is Azurite; null while stopped.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>What Azurite has printed since it last started (the last 200 lines), for failure messages.</summary>
    public string RecentOutput => _output.ToString();

    /// <summary>
    /// Starts Azurite on free loopback ports and returns once its blob endpoint answers HTTP.
    /// </summary>
    /// <exception cref="FileNotFoundException">Azurite is not installed in node_modules (run <c>npm ci</c>).</exception>
    /// <exception cref="TimeoutException">Azurite did not come up within a minute; the message holds its output.</exception>
    /// <exception cref="InvalidOperationException">Azurite exited while starting; the message holds its output.</exception>
    public static async Task<AzuriteProcess> StartAsync(
        AzuritePersistence persistence = AzuritePersistence.InMemory,
        CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable(RepositoryRoot.Find());
        var dataDirectory = persistence == AzuritePersistence.Disk
            ? Directory.CreateTempSubdirectory("graphcast-azurite-").FullName
            : null;
        var azurite = new AzuriteProcess(executable, persistence, dataDirectory);
        try
        {
            // Port 0: the kernel picks free ports at the moment Azurite binds them, so test hosts running in
            // parallel never race for a port; Azurite reports the ports it got, and restarts reuse them.
            await azurite.LaunchAsync(0, 0, 0, cancellationToken).ConfigureAwait(false);
            return azurite;
        }
        catch
        {
            azurite.Dispose();
            throw;
        }
    }

    /// <summary>The Azurite launcher that <c>npm ci</c> installs under <paramref name="repositoryRoot"/>.</summary>
    /// <exception cref="FileNotFoundException">It is missing; the message says to run <c>npm ci</c>.</exception>
    public static string FindExecutable(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Azurite is not installed: '{path}' does not exist. Run `npm ci` in '{repositoryRoot}' " +
                "(needs Node.js; scripts/test.sh does this for you).",
                path);
        }

        return path;
    }

    /// <summary>A blob service client for this instance.</summary>
    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions? options = null) =>
        new(ConnectionString, options);

    /// <summary>
    /// Stops Azurite cleanly (SIGTERM: a disk store saves its metadata, which it otherwise autosaves only every
    /// 5 s), killing it if it has not exited within 20 s. Does nothing if it is not running.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            // End of input on the host script's pipe is its signal to send Azurite SIGTERM.
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>
    /// Kills Azurite's whole process tree at once, like a crash: a disk store may lose the metadata of the last
    /// few seconds of writes. Does nothing if it is not running.
    /// </summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            _process = null;
            KillTree(process);
            process.Dispose();
        }
    }

    /// <summary>
    /// Stops Azurite if it is running and starts it again on the same ports, so existing connection strings stay
    /// valid. With <see cref="AzuritePersistence.Disk"/> the data survives; in memory it starts empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Azurite could not start again within a minute, for example because another process kept one of its ports;
    /// the message holds its output.
    /// </exception>
    /// <exception cref="TimeoutException">Azurite did not come up within a minute; the message holds its output.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await LaunchAsync(BlobPort, QueuePort, TablePort, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills Azurite's process tree and deletes its data folder.</summary>
    public void Dispose()
    {
        Kill();
        if (DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A folder left in the temp directory is harmless; failing a test run over it is not.
            }
        }
    }

    private static Uri ServiceEndpoint(int port) => new($"http://{Host}:{port}/{AccountName}");

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }

        // Also waits for the end of its output streams, so the captured output is complete.
        process.WaitForExit();
    }

    private async Task LaunchAsync(int blobPort, int queuePort, int tablePort, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var output = new AzuriteOutput();
            var process = Spawn(blobPort, queuePort, tablePort, output);
            _output = output;
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var exited = process.WaitForExitAsync(CancellationToken.None);
            var deadline = Task.Delay(StartTimeout - elapsed.Elapsed, giveUp.Token);
            var first = await Task.WhenAny(output.Listening, exited, deadline).ConfigureAwait(false);
            await giveUp.CancelAsync().ConfigureAwait(false);

            if (first == output.Listening)
            {
                (BlobPort, QueuePort, TablePort) = output.Ports;
                _process = process;
                await WaitForBlobEndpointAsync(elapsed, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (first == exited)
            {
                var exitCode = process.ExitCode;
                process.Dispose();
                // A fixed port (a restart) can be briefly taken by another process: try again until the deadline.
                if (output.Contains("EADDRINUSE") && elapsed.Elapsed < StartTimeout)
                {
                    await Task.Delay(RetryInterval * 5, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new InvalidOperationException(
                    $"Azurite ('{_executable}') exited with code {exitCode} before it listened on its blob, queue " +
                    $"and table ports. Its output:{Environment.NewLine}{output}");
            }

            KillTree(process);
            process.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"Azurite ('{_executable}') did not report listening on its blob, queue and table ports within " +
                $"{StartTimeout.TotalSeconds:0} s (awaited its 'successfully listening' lines). " +
                $"Its output:{Environment.NewLine}{output}");
        }
    }

    private Process Spawn(int blobPort, int queuePort, int tablePort, AzuriteOutput output)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Azurite's default --location is its working directory: keep it out of the repository.
            WorkingDirectory = DataDirectory ?? Path.GetTempPath(),
        };
        string[] arguments =
        [
            "-c", HostScript, "azurite-host", _executable,
            "--silent", "--disableTelemetry",
            // Azure.Storage.Blobs 12.30.1 sends API version 2026-10-06; Azurite 3.37.0 accepts up to
            // 2026-06-06 and answers 400 to anything newer unless told not to check.
            "--skipApiVersionCheck",
            "--blobHost", Host, "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", Host, "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", Host, "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (DataDirectory is null)
        {
            startInfo.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            startInfo.ArgumentList.Add("--location");
            startInfo.ArgumentList.Add(DataDirectory);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForBlobEndpointAsync(Stopwatch elapsed, CancellationToken cancellationToken)
    {
        // Any HTTP answer counts (an unauthenticated listing gets 403): the service is up and parsing requests.
        var listing = new Uri($"{BlobEndpoint}?comp=list");
        while (true)
        {
            try
            {
                using var response = await Probe.GetAsync(listing, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException
                                      && !cancellationToken.IsCancellationRequested)
            {
                if (elapsed.Elapsed >= StartTimeout)
                {
                    Kill();
                    throw new TimeoutException(
                        $"Azurite's blob endpoint {BlobEndpoint} did not answer HTTP within " +
                        $"{StartTimeout.TotalSeconds:0} s. Its output:{Environment.NewLine}{_output}",
                        e);
                }

                await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at https?://[^\s:/]+:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Azurite's recent output lines, and the ports it reported listening on.</summary>
    private sealed class AzuriteOutput
    {
        private const int MaxLines = 200;

        private readonly Lock _gate = new();
        private readonly Queue<string> _lines = new();
        private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _blobPort;
        private int _queuePort;
        private int _tablePort;

        /// <summary>Completes once Azurite has reported all three ports.</summary>
        public Task Listening => _listening.Task;

        public (int Blob, int Queue, int Table) Ports
        {
            get
            {
                lock (_gate)
                {
                    return (_blobPort, _queuePort, _tablePort);
                }
            }
        }

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            var match = ListeningLine().Match(line);
            lock (_gate)
            {
                _lines.Enqueue(line);
                if (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }

                if (match.Success)
                {
                    var port = int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
                    switch (match.Groups[1].Value)
                    {
                        case "Blob": _blobPort = port; break;
                        case "Queue": _queuePort = port; break;
                        default: _tablePort = port; break;
                    }

                    if (_blobPort != 0 && _queuePort != 0 && _tablePort != 0)
                    {
                        _listening.TrySetResult();
                    }
                }
            }
        }

        public bool Contains(string text)
        {
            lock (_gate)
            {
                return _lines.Any(line => line.Contains(text, StringComparison.Ordinal));
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _lines.Count == 0 ? "(no output)" : string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
