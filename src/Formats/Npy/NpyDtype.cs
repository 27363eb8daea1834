namespace GraphCast.Formats.Npy;

/// <summary>The element types an <see cref="NpyArray"/> can hold: those of GraphCast checkpoints (.npz) and of safetensors files.</summary>
/// <remarks>
/// Every multi-byte type is stored little-endian. <see cref="BFloat16"/> has no .npy descriptor (numpy has no
/// bfloat16) and lives only in safetensors files and tensors; <see cref="Unicode"/> is numpy's fixed-width
/// <c>&lt;U{n}</c> (n UTF-32LE code units per element) and lives only in .npy files.
/// </remarks>
public enum NpyDtype
{
    /// <summary>One byte per element, 0 or 1 (numpy <c>|b1</c>, safetensors <c>BOOL</c>).</summary>
    Bool,

    /// <summary>Unsigned 8-bit integer (numpy <c>|u1</c>, safetensors <c>U8</c>).</summary>
    UInt8,

    /// <summary>Signed 32-bit integer (numpy <c>&lt;i4</c>, safetensors <c>I32</c>).</summary>
    Int32,

    /// <summary>Signed 64-bit integer (numpy <c>&lt;i8</c>, safetensors <c>I64</c>); Python ints are stored this way.</summary>
    Int64,

    /// <summary>IEEE half precision (numpy <c>&lt;f2</c>, safetensors <c>F16</c>).</summary>
    Float16,

    /// <summary>Brain float 16 (safetensors <c>BF16</c>); not representable in .npy.</summary>
    BFloat16,

    /// <summary>IEEE single precision (numpy <c>&lt;f4</c>, safetensors <c>F32</c>); GraphCast params.</summary>
    Float32,

    /// <summary>IEEE double precision (numpy <c>&lt;f8</c>, safetensors <c>F64</c>); Python floats are stored this way.</summary>
    Float64,

    /// <summary>Fixed-width unicode string, UTF-32LE, <see cref="NpyArray.UnicodeLength"/> code points per element (numpy <c>&lt;U{n}</c>).</summary>
    Unicode,
}
