using Xunit.Abstractions;

namespace GraphCast.Orleans.Storage.Tests.Checkpoints;

/// <summary>Tests that count process-wide allocation run one at a time, after the parallel ones.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;
