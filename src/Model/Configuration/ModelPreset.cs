namespace GraphCast.Model.Configuration;

/// <summary>A named model + task configuration.</summary>
public sealed record ModelPreset(string Name, ModelConfig Model, TaskConfig Task, string Description);
