// The graphcast CLI: one line per user error (exit 2), a short message for bad input files (exit 1).
using GraphCast.Orleans.Client;

return CommandLine.Run(args, Console.Out, Console.Error);
