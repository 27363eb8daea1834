using GraphCast.Bench;

try
{
    var parsed = BenchArguments.Parse(args);
    return parsed.Mode switch
    {
        "engine" => await BenchEngineCommand.RunAsync(parsed, Console.Out, CancellationToken.None),
        "codecs" => await CodecBenchmark.RunAsync(parsed, Console.Out, CancellationToken.None),
        "telemetry" => await TelemetryBenchmark.RunAsync(parsed, Console.Out),
        "api" => await ApiStatusBenchmark.RunAsync(parsed, Console.Out, CancellationToken.None),
        "regions" => RegionBenchmark.Run(parsed, Console.Out),
        _ => BenchRunner.Run(parsed),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
