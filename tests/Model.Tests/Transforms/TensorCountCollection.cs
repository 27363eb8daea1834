using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Tests.Transforms;

/// <summary>Runs alone: it counts live tensors process-wide, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(TensorCountCollection), DisableParallelization = true)]
public sealed class TensorCountCollection;
