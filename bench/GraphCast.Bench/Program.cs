using GraphCast.Bench;

try
{
    return BenchRunner.Run(BenchArguments.Parse(args));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
