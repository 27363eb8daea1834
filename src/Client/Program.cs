// The graphcast CLI: commands on System.CommandLine (CommandLine.cs), errors as one line with the exit codes of Errors/ExitCodes.cs.
using GraphCast.Orleans.Client;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await CommandLine.RunAsync(args, Console.Out, Console.Error, cancel.Token);
