using GraphCast.Bench;

try
{
    var parsed = BenchArguments.Parse(args);
    return parsed.Mode == "engine" ? await BenchEngineCommand.RunAsync(parsed, Console.Out, CancellationToken.None) : BenchRunner.Run(parsed);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
