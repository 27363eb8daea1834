// A standalone GraphCast silo: configuration from appsettings.json, environment (GRAPHCAST_ prefix, '__' nesting) and arguments.
// A setting that keeps it from starting is one line on stderr and exit code 1.
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

try
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
    builder.Logging.ClearProviders();
    builder.Logging.AddGraphCastConsole(builder.Configuration);
    builder.AddGraphCastSilo();
    await builder.Build().RunAsync();
    return 0;
}
catch (Exception e) when (e is SiloConfigurationException or OptionsValidationException)
{
    await Console.Error.WriteLineAsync("graphcast-silo: " + e.Message.ReplaceLineEndings(" "));
    return 1;
}
