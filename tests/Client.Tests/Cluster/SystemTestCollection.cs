namespace GraphCast.Orleans.Client.Tests.Cluster;

/// <summary>The system tests start real processes: they run one at a time, never beside other test classes.</summary>
[CollectionDefinition(nameof(SystemTestCollection), DisableParallelization = true)]
public sealed class SystemTestCollection;
