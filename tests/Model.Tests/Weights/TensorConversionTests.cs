using GraphCast.Formats.Npy;
using GraphCast.Model.Weights;
using GraphCast.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Weights;

/// <summary>Arrays and TorchSharp tensors convert both ways with the same dtype, shape and bytes.</summary>
public sealed class TensorConversionTests
{
    [Theory]
    [InlineData("float32")]
    [InlineData("float64")]
    [InlineData("float16")]
    [InlineData("int64")]
    [InlineData("int32")]
    [InlineData("uint8")]
    [InlineData("bool")]
    [InlineData("float64-0d")]
    [InlineData("int64-0d")]
    [InlineData("float32-empty")]
    [InlineData("float32-3d")]
    [InlineData("bfloat16")]
    public void Arrays_round_trip_through_tensors_bit_for_bit(string kind)
    {
        var array = kind == "bfloat16"
            ? new NpyArray(NpyDtype.BFloat16, [2, 2], [0x80, 0x3F, 0x00, 0xC0, 0xC1, 0x7F, 0x01, 0x00])
            : NpySamples.Sample(kind);
        using var scope = NewDisposeScope();

        var tensor = TensorConversion.ToTensor(array);
        var back = TensorConversion.ToNpyArray(tensor);

        Assert.Equal(array.Shape, tensor.shape);
        Assert.Equal(TensorConversion.ScalarTypeOf(array.Dtype), tensor.dtype);
        Assert.Equal(array, back);
    }

    [Fact]
    public void Tensor_elements_sit_where_the_c_order_array_puts_them()
    {
        using var scope = NewDisposeScope();

        var tensor = TensorConversion.ToTensor(NpyArray.FromFloats([0f, 1f, 2f, 3f, 4f, 5f], [2, 3]));

        Assert.Equal(5f, tensor[1, 2].item<float>());
        Assert.Equal(3f, tensor[1, 0].item<float>());
    }

    [Fact]
    public void Bfloat16_bits_match_torch_rounding_of_the_same_values()
    {
        using var scope = NewDisposeScope();
        var values = torch.tensor(new float[] { 1f, -2f, 3.140625f }).to(ScalarType.BFloat16);

        var array = TensorConversion.ToNpyArray(values);

        // bfloat16 is the upper half of the float32 bit pattern: 0x3F80, 0xC000, 0x4049.
        Assert.Equal(NpyDtype.BFloat16, array.Dtype);
        Assert.Equal([0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40], array.Data);
    }

    [Fact]
    public void Non_contiguous_tensors_are_stored_in_c_order()
    {
        using var scope = NewDisposeScope();
        var transposed = torch.arange(6, dtype: ScalarType.Int64).reshape(2, 3).t();

        var array = TensorConversion.ToNpyArray(transposed);

        Assert.Equal([3L, 2L], array.Shape);
        Assert.Equal([0L, 3L, 1L, 4L, 2L, 5L], array.ToLongArray());
    }

    [Fact]
    public void Tensors_that_require_grad_convert_without_error()
    {
        using var scope = NewDisposeScope();
        var parameter = torch.ones(2, 2, requires_grad: true);

        Assert.Equal([1f, 1f, 1f, 1f], TensorConversion.ToNpyArray(parameter).ToFloatArray());
    }

    [Fact]
    public void Conversion_leaves_no_tensor_behind_in_the_callers_scope()
    {
        var array = NpyArray.FromFloats([1f, 2f]);
        using var source = TensorConversion.ToTensor(array);
        using var scope = NewDisposeScope();

        _ = TensorConversion.ToNpyArray(source);

        Assert.Equal(0, scope.DisposablesCount);
        Assert.False(source.IsInvalid);
    }

    [Fact]
    public void Unicode_arrays_and_complex_tensors_are_refused()
    {
        using var scope = NewDisposeScope();
        var complex = torch.zeros(2, dtype: ScalarType.ComplexFloat32);

        var unicode = Assert.Throws<ArgumentException>(() => TensorConversion.ToTensor(NpyArray.FromString("12h")));
        var unsupported = Assert.Throws<ArgumentException>(() => TensorConversion.ToNpyArray(complex));

        Assert.Contains("unicode string array has no tensor dtype", unicode.Message, StringComparison.Ordinal);
        Assert.Contains("ComplexFloat32 cannot be stored", unsupported.Message, StringComparison.Ordinal);
    }
}
