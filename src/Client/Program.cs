// The graphcast CLI: one line per user error (exit 2), a short message for bad input files (exit 1).
using GraphCast.Orleans.Client;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await CommandLine.RunAsync(args, Console.Out, Console.Error, cancel.Token);
