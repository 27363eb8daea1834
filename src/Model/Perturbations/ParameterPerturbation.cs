using System.Globalization;
using System.Text.RegularExpressions;
using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Perturbations;

/// <summary>
/// Perturbed parameters of one member: <c>gaussian:SCALE[:PATTERN]</c> adds noise of standard deviation
/// <c>SCALE × std(tensor)</c> to every parameter whose path (<c>module:name</c>, e.g. <c>mesh_gnn/~_networks_builder/processor_edges_0_mesh_mlp/~/linear_0:w</c>)
/// matches the regular expression PATTERN (all parameters without one). A tensor whose values are all equal (a fresh bias or
/// LayerNorm offset) has std 0 and stays as it is. The noise comes from the member's key alone, tensor by tensor in path
/// order, so a member's parameters are the same wherever and whenever it runs, and a resumed member rebuilds them exactly.
/// </summary>
public sealed record ParameterPerturbation(double Scale, string? Pattern)
{
    /// <summary>Parses <c>gaussian:SCALE[:PATTERN]</c>, e.g. <c>gaussian:0.01</c> or <c>gaussian:0.01:^mesh_gnn/</c>.</summary>
    public static ParameterPerturbation Parse(string text)
    {
        var parts = text.Split(':', 3);
        if (parts[0] != "gaussian" || parts.Length < 2)
        {
            throw new ArgumentException($"Parameter perturbation '{text}' is not gaussian:SCALE[:PATTERN] (e.g. gaussian:0.01, or gaussian:0.01:^mesh_gnn/ for the processor only).");
        }

        if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || !double.IsFinite(scale) || scale <= 0 || scale > 1)
        {
            throw new ArgumentException($"Parameter perturbation '{text}': the scale must be a number above 0 and at most 1 (a fraction of each tensor's std, e.g. 0.01).");
        }

        var pattern = parts.Length == 3 ? parts[2] : null;
        if (pattern is not null)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Parameter perturbation '{text}': '{pattern}' is not a regular expression ({e.Message}).");
            }
        }

        return new ParameterPerturbation(scale, pattern);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"gaussian:{Scale:R}") + (Pattern is null ? "" : ":" + Pattern);

    /// <summary>The paths this perturbation changes among <paramref name="paths"/>; none is an error naming the pattern.</summary>
    public IReadOnlyList<ParamPath> Matching(IEnumerable<ParamPath> paths)
    {
        var regex = Pattern is null ? null : new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var all = paths.ToList();
        var matching = all.Where(p => regex is null || regex.IsMatch(p.ToString())).OrderBy(p => p.ToString(), StringComparer.Ordinal).ToList();
        if (matching.Count == 0)
        {
            throw new ArgumentException(
                $"Parameter perturbation '{this}' matches no parameter of the model; its paths look like '{all.Select(p => p.ToString()).Order(StringComparer.Ordinal).First()}' ('graphcast model describe' lists the modules).");
        }

        return matching;
    }

    /// <summary>New parameters: <paramref name="parameters"/> with this perturbation drawn from <paramref name="key"/> (the input is left unchanged).</summary>
    public Params Apply(Params parameters, RngKey key)
    {
        var matching = Matching(parameters.Keys).ToHashSet();
        using var generator = new Generator(key.ToSeed());
        var noise = new Dictionary<ParamPath, Tensor>();
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            // Draw in path order on the CPU in float64: the same numbers on every device.
            foreach (var path in matching.OrderBy(p => p.ToString(), StringComparer.Ordinal))
            {
                var tensor = parameters[path];
                var values = tensor.to(ScalarType.Float64, CPU);
                var std = values.numel() > 1 ? values.std().item<double>() : 0.0;
                var draw = torch.randn(tensor.shape, ScalarType.Float64, generator: generator);
                noise[path] = draw.mul(Scale * std).to(tensor.dtype).to(tensor.device);
            }

            var perturbed = parameters.Select(e => new KeyValuePair<ParamPath, Tensor>(
                e.Key, noise.TryGetValue(e.Key, out var n) ? e.Value.add(n, Scalars.One) : e.Value.clone())).ToList();
            // The map takes its tensors out of the dispose scope.
            return new Params(perturbed);
        }
    }
}
