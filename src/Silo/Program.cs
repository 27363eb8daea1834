// A standalone GraphCast silo: configuration from appsettings.json, environment (GRAPHCAST_ prefix, '__' nesting) and arguments.
using GraphCast.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("GRAPHCAST_");
builder.AddGraphCastSilo();
await builder.Build().RunAsync();
