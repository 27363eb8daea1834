// The graphcast CLI: commands on System.CommandLine (CommandLine.cs), errors as one line with the exit codes of Errors/ExitCodes.cs.
using System.Runtime.InteropServices;
using GraphCast.Orleans.Client;

using var cancel = new CancellationTokenSource();
// SIGINT (Ctrl-C) and SIGTERM (kill, systemd, Kubernetes, CI) both become the command's cancellation: an embedded run is
// cancelled cleanly (members checkpoint, the run is marked Cancelled) and the process exits; a cluster client detaches.
// A second signal while that happens ends the process at once.
void OnSignal(PosixSignalContext context)
{
    if (cancel.IsCancellationRequested)
    {
        return; // Not cancelled: the runtime ends the process.
    }

    context.Cancel = true;
    cancel.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await CommandLine.RunAsync(args, Console.Out, Console.Error, cancel.Token);
