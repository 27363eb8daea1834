using GraphCast.Formats.Npy;
using GraphCast.Formats.Safetensors;
using GraphCast.Model.Transforms;
using static TorchSharp.torch;

namespace GraphCast.Model.Weights;

/// <summary>
/// Saving and loading <see cref="Params"/>/<see cref="State"/>: safetensors (keys <c>module:name</c>, bit-exact round trip)
/// and the reference's <c>.npz</c> layout (keys <c>params:&lt;module path&gt;:&lt;name&gt;</c>).
/// </summary>
public static class ParamsFiles
{
    /// <summary>Writes <paramref name="map"/> as safetensors, in map order, with optional string metadata.</summary>
    public static void SaveSafetensors<T>(this TensorMap<T> map, string path, IEnumerable<KeyValuePair<string, string>>? metadata = null)
        where T : TensorMap<T>
    {
        ArgumentNullException.ThrowIfNull(map);
        SafetensorsFormat.Write(path, ToArrays(map), metadata);
    }

    /// <summary>Writes <paramref name="map"/> as safetensors to a stream.</summary>
    public static void SaveSafetensors<T>(this TensorMap<T> map, Stream stream, IEnumerable<KeyValuePair<string, string>>? metadata = null)
        where T : TensorMap<T>
    {
        ArgumentNullException.ThrowIfNull(map);
        SafetensorsFormat.Write(stream, ToArrays(map), metadata);
    }

    /// <summary>Reads parameters written by <see cref="SaveSafetensors{T}(TensorMap{T}, string, IEnumerable{KeyValuePair{string, string}}?)"/>.</summary>
    public static Params LoadParamsSafetensors(string path, Device? device = null) =>
        new(FromArrays(SafetensorsFormat.Read(path).Tensors, path, device));

    /// <summary>Reads a state map from safetensors.</summary>
    public static State LoadStateSafetensors(Stream stream, string source, Device? device = null) =>
        new(FromArrays(SafetensorsFormat.Read(stream, source).Tensors, source, device));

    /// <summary>Reads parameters from safetensors in a stream, with the file's metadata.</summary>
    public static (Params Params, IReadOnlyDictionary<string, string> Metadata) LoadParamsSafetensors(Stream stream, string source, Device? device = null)
    {
        var content = SafetensorsFormat.Read(stream, source);
        return (new Params(FromArrays(content.Tensors, source, device)), content.Metadata);
    }

    /// <summary>
    /// The parameters of a reference-layout <c>.npz</c> (<c>params:&lt;module path&gt;:&lt;name&gt;</c>); other keys
    /// (<c>model_config:…</c>, <c>task_config:…</c>, <c>description</c>, <c>license</c>) are not parameters and are skipped.
    /// </summary>
    public static Params LoadParamsNpz(string path, Device? device = null) => ParamsFromFlat(NpzArchive.Read(path), path, device);

    /// <summary>The parameters among the flat entries of a reference-layout checkpoint.</summary>
    public static Params ParamsFromFlat(IEnumerable<KeyValuePair<string, NpyArray>> flat, string source, Device? device = null)
    {
        var prefix = NpzTree.ParamsKey + NpzTree.Separator;
        var entries = new List<KeyValuePair<ParamPath, Tensor>>();
        try
        {
            foreach (var (key, array) in flat)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var (module, name) = NpzTree.SplitParamsKey(key);
                entries.Add(new(new ParamPath(module, name), TensorConversion.ToTensor(array, device)));
            }

            return new Params(entries);
        }
        catch
        {
            foreach (var (_, t) in entries)
            {
                t.Dispose();
            }

            throw;
        }
    }

    /// <summary>The flat reference-layout entries (<c>params:module:name</c>) of <paramref name="parameters"/>.</summary>
    public static IEnumerable<KeyValuePair<string, NpyArray>> ToFlat(Params parameters) =>
        parameters.Select(e => new KeyValuePair<string, NpyArray>(
            NpzTree.JoinParamsKey(e.Key.Module, e.Key.Name), TensorConversion.ToNpyArray(e.Value)));

    private static IEnumerable<KeyValuePair<string, NpyArray>> ToArrays<T>(TensorMap<T> map)
        where T : TensorMap<T> =>
        map.Select(e => new KeyValuePair<string, NpyArray>(e.Key.ToString(), TensorConversion.ToNpyArray(e.Value)));

    private static List<KeyValuePair<ParamPath, Tensor>> FromArrays(IEnumerable<KeyValuePair<string, NpyArray>> arrays, string source, Device? device)
    {
        var entries = new List<KeyValuePair<ParamPath, Tensor>>();
        foreach (var (key, array) in arrays)
        {
            ParamPath path;
            try
            {
                path = ParamPath.Parse(key);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{source}: tensor '{key}' is not named '<module path>:<name>': {e.Message}", e);
            }

            entries.Add(new(path, TensorConversion.ToTensor(array, device)));
        }

        return entries;
    }
}
