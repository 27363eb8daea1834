using GraphCast.Formats.Npy;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Weights;

/// <summary>Exact conversion between checkpoint arrays (<see cref="NpyArray"/>) and TorchSharp tensors: same dtype, same shape, same bytes.</summary>
/// <remarks>
/// No arithmetic happens here: bytes are copied as they are, so NaN payloads, signed zeros and bfloat16 bit
/// patterns survive both ways. Casting (float32 master → bfloat16 compute) is the caller's decision.
/// </remarks>
public static class TensorConversion
{
    /// <summary>A new tensor holding a copy of <paramref name="array"/>'s data, on the CPU or <paramref name="device"/>.</summary>
    /// <remarks>The tensor joins the caller's current dispose scope, as any TorchSharp factory result does.</remarks>
    /// <exception cref="ArgumentException">A unicode array, which has no tensor dtype.</exception>
    public static Tensor ToTensor(NpyArray array, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        var scalarType = ScalarTypeOf(array.Dtype);
        var cpuTensor = empty(array.Shape, dtype: scalarType);
        if (array.Data.Length > 0)
        {
            cpuTensor.bytes = array.Data;
        }

        if (device is null || device.type == DeviceType.CPU)
        {
            return cpuTensor;
        }

        using (cpuTensor)
        {
            return cpuTensor.to(device);
        }
    }

    /// <summary>A copy of <paramref name="tensor"/>'s values (moved to the CPU, in C order) as an array of the same dtype and shape.</summary>
    /// <exception cref="ArgumentException">A tensor dtype with no <see cref="NpyDtype"/> (complex, int8, int16, …).</exception>
    public static NpyArray ToNpyArray(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = DtypeOf(tensor.dtype);
        long[] shape = tensor.shape;
        using var scope = NewDisposeScope();

        // detach: bytes of a tensor that requires grad; contiguous: C order, whatever the strides; cpu: host memory.
        var host = tensor.detach().contiguous().cpu();
        byte[] data = tensor.numel() == 0 ? [] : host.bytes.ToArray();
        return new NpyArray(dtype, shape, data);
    }

    /// <summary>The TorchSharp dtype of an array dtype.</summary>
    /// <exception cref="ArgumentException">Unicode, which has no tensor dtype.</exception>
    public static ScalarType ScalarTypeOf(NpyDtype dtype) => dtype switch
    {
        NpyDtype.Bool => ScalarType.Bool,
        NpyDtype.UInt8 => ScalarType.Byte,
        NpyDtype.Int32 => ScalarType.Int32,
        NpyDtype.Int64 => ScalarType.Int64,
        NpyDtype.Float16 => ScalarType.Float16,
        NpyDtype.BFloat16 => ScalarType.BFloat16,
        NpyDtype.Float32 => ScalarType.Float32,
        NpyDtype.Float64 => ScalarType.Float64,
        NpyDtype.Unicode => throw new ArgumentException("A unicode string array has no tensor dtype; read it with NpyArray.ToStringArray().", nameof(dtype)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDtype."),
    };

    /// <summary>The array dtype of a TorchSharp dtype.</summary>
    /// <exception cref="ArgumentException">A dtype checkpoints do not store (complex, int8, int16, …).</exception>
    public static NpyDtype DtypeOf(ScalarType scalarType) => scalarType switch
    {
        ScalarType.Bool => NpyDtype.Bool,
        ScalarType.Byte => NpyDtype.UInt8,
        ScalarType.Int32 => NpyDtype.Int32,
        ScalarType.Int64 => NpyDtype.Int64,
        ScalarType.Float16 => NpyDtype.Float16,
        ScalarType.BFloat16 => NpyDtype.BFloat16,
        ScalarType.Float32 => NpyDtype.Float32,
        ScalarType.Float64 => NpyDtype.Float64,
        _ => throw new ArgumentException(
            $"Tensors of dtype {scalarType} cannot be stored; convert to float32, float64, float16, bfloat16, int64, int32, uint8 or bool first.", nameof(scalarType)),
    };
}
