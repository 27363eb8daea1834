using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Grains.Options;
using GraphCast.Orleans.Grains.Rollout;
using Microsoft.Extensions.Logging.Abstractions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GraphCast.Orleans.Grains.Tests;

/// <summary>A member computed without Orleans: the same model, initial condition and steps in a plain loop.</summary>
internal static class BareRollout
{
    /// <summary>Per step (1-based) and variable, the chunk bytes the member must have written.</summary>
    public static async Task<Dictionary<(int Step, string Variable), byte[]>> RunAsync(ForecastSpec spec, int member, string graphCache, IReadOnlyList<GraphCast.Model.Fields.GridFields>? prepared = null)
    {
        using var executor = new StepExecutor(MsOptions.Create(new ComputeOptions()), NullLogger<StepExecutor>.Instance);
        using var registry = new ModelRegistry(MsOptions.Create(new ModelsOptions { GraphCacheDirectory = graphCache }), MsOptions.Create(new ComputeOptions()), executor, NullLogger<ModelRegistry>.Instance);
        using var lease = await registry.AcquireAsync(spec.Model);
        return await executor.RunAsync(() =>
        {
            var result = new Dictionary<(int, string), byte[]>();
            MemberRollout.RunBare(spec, member, lease, output =>
            {
                foreach (var (name, data) in output.Variables)
                {
                    var bytes = new byte[data.Length * 4];
                    Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
                    result[(output.Step, name)] = bytes;
                }
            }, prepared);
            return result;
        });
    }
}
