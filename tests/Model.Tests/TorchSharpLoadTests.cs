using TorchSharp;

namespace GraphCast.Model.Tests;

/// <summary>TorchSharp's native library loads on this machine (the GLIBCXX build fix works).</summary>
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void Native_library_loads_and_computes()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = torch.ones(3, 2);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 3f, 3f, 12f, 12f }, c.data<float>().ToArray());
    }
}
