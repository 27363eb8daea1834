namespace GraphCast.Orleans.Grains.Tests;

/// <summary>Engine tests run one at a time: each starts its own cluster and they share the CPU.</summary>
[CollectionDefinition(nameof(EngineCollection), DisableParallelization = true)]
public sealed class EngineCollection;
