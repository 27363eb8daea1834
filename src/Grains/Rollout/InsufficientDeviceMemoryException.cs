namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>A model step that does not fit in the memory this silo may use on its device.</summary>
public sealed class InsufficientDeviceMemoryException(string message) : InvalidOperationException(message);
