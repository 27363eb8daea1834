using GraphCast.Formats.Npy;
using GraphCast.Model.Modules;
using GraphCast.Model.Transforms;
using GraphCast.Model.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Weights;

/// <summary>Params saved as safetensors and loaded from reference-layout .npz files.</summary>
public sealed class ParamsFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gc-params-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Transformed<Tensor, Tensor> Model() =>
        Transform.Stateless((Tensor x) => new LayerNorm(name: "encoder_layer_norm").Call(new Mlp([3, 2], name: "encoder_mlp").Call(x)));

    [Fact]
    public void Safetensors_round_trip_is_bit_identical_with_metadata()
    {
        using var x = torch.ones(1, 4);
        using var p = Model().Init(RngKey.FromSeed(11), x);
        using var bf16 = p.To(ScalarType.BFloat16);
        var path = Path.Combine(_dir, "p.safetensors");
        bf16.SaveSafetensors(path, [new("model", "test")]);
        using var loaded = ParamsFiles.LoadParamsSafetensors(path);
        Assert.True(loaded.BitEquals(bf16));
        using var stream = File.OpenRead(path);
        var (again, metadata) = ParamsFiles.LoadParamsSafetensors(stream, path);
        using (again)
        {
            Assert.Equal("test", metadata["model"]);
            Assert.True(again.BitEquals(bf16));
        }
    }

    [Fact]
    public void A_reference_layout_npz_loads_by_name_with_w_stored_in_by_out()
    {
        // Write the file as the reference does: params:<module>:<name>, w as [in, out], plus config keys to skip.
        float[] w0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; // [4, 3]
        float[] w1 = [1, 0, 0, 1, 1, 1];                      // [3, 2]
        var path = Path.Combine(_dir, "ckpt.npz");
        NpzArchive.Write(path, new Dictionary<string, NpyArray>
        {
            ["params:encoder_mlp/~/linear_0:w"] = NpyArray.FromFloats(w0, [4, 3]),
            ["params:encoder_mlp/~/linear_0:b"] = NpyArray.FromFloats([0.5f, 0, -0.5f], [3]),
            ["params:encoder_mlp/~/linear_1:w"] = NpyArray.FromFloats(w1, [3, 2]),
            ["params:encoder_mlp/~/linear_1:b"] = NpyArray.FromFloats([0, 0], [2]),
            ["params:encoder_layer_norm:scale"] = NpyArray.FromFloats([1, 2], [2]),
            ["params:encoder_layer_norm:offset"] = NpyArray.FromFloats([0, 1], [2]),
            ["model_config:latent_size"] = NpyArray.FromScalar(3L),
            ["description"] = NpyArray.FromString("test checkpoint"),
        }, compressed: true);

        using var p = ParamsFiles.LoadParamsNpz(path);
        Assert.Equal(
            ["encoder_mlp/~/linear_0:w", "encoder_mlp/~/linear_0:b", "encoder_mlp/~/linear_1:w", "encoder_mlp/~/linear_1:b", "encoder_layer_norm:scale", "encoder_layer_norm:offset"],
            p.Keys.Select(k => k.ToString()));
        Assert.Equal(new long[] { 4, 3 }, p["encoder_mlp/~/linear_0", "w"].shape);
        Assert.Equal(w0, p["encoder_mlp/~/linear_0", "w"].data<float>().ToArray());

        // Apply with the loaded params computes x @ w + b with w as [in, out].
        using var x = torch.tensor(new float[] { 1, 0, 0, 1 }, [1, 4]);
        var model = Transform.Stateless((Tensor t) => new Mlp([3, 2], name: "encoder_mlp").Call(t));
        using var y = model.Apply(p.Where(k => k.Module.StartsWith("encoder_mlp", StringComparison.Ordinal)), null, x);
        // h = [1,2,3] + [10,11,12] + b = [11.5, 13, 14.5]; relu; out = [h0 + h2, h1 + h2] = [26, 27.5].
        Assert.Equal(new float[] { 26f, 27.5f }, y.data<float>().ToArray());
    }
}
