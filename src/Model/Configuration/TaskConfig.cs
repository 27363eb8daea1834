namespace GraphCast.Model.Configuration;

/// <summary>
/// What the model reads and predicts (the reference's <c>TaskConfig</c>): input, target and forcing variables, pressure
/// levels and the input window. Equality compares the lists element by element.
/// </summary>
public sealed record TaskConfig
{
    public required IReadOnlyList<string> InputVariables { get; init; }

    public required IReadOnlyList<string> TargetVariables { get; init; }

    public required IReadOnlyList<string> ForcingVariables { get; init; }

    public required IReadOnlyList<int> PressureLevels { get; init; }

    /// <summary>Length of the input window, e.g. "12h" (two 6-hourly frames).</summary>
    public required string InputDuration { get; init; }

    /// <summary>Time step between frames. All published GraphCast models step 6 hours.</summary>
    public TimeSpan TimeStep { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Number of input frames: input duration / time step (2 for "12h" at 6 h).</summary>
    public int InputFrames
    {
        get
        {
            var duration = ParseDuration(InputDuration);
            var frames = duration / TimeStep;
            if (frames < 1 || Math.Abs(frames - Math.Round(frames)) > 1e-9)
            {
                throw new ArgumentException($"task_config.input_duration '{InputDuration}' must be a whole number of {TimeStep.TotalHours} h steps.");
            }

            return (int)Math.Round(frames);
        }
    }

    /// <summary>True for variables with a pressure-level dimension.</summary>
    public static bool HasLevels(string variable) => Variables.Atmospheric.Contains(variable);

    /// <summary>Channels one frame of <paramref name="variable"/> occupies: its levels, or 1 for a surface field.</summary>
    public int LevelsOf(string variable) => HasLevels(variable) ? PressureLevels.Count : 1;

    /// <summary>Inputs that are neither targets nor forcings: constant over the rollout (orography, land-sea mask).</summary>
    public IEnumerable<string> StaticVariables =>
        InputVariables.Where(v => !TargetVariables.Contains(v) && !ForcingVariables.Contains(v));

    public bool Equals(TaskConfig? other) =>
        other is not null &&
        InputVariables.SequenceEqual(other.InputVariables) &&
        TargetVariables.SequenceEqual(other.TargetVariables) &&
        ForcingVariables.SequenceEqual(other.ForcingVariables) &&
        PressureLevels.SequenceEqual(other.PressureLevels) &&
        InputDuration == other.InputDuration &&
        TimeStep == other.TimeStep;

    public override int GetHashCode() => HashCode.Combine(InputVariables.Count, TargetVariables.Count, PressureLevels.Count, InputDuration);

    /// <summary>Checks the task a user or a checkpoint can get wrong; names the field and the fix.</summary>
    public void Validate()
    {
        var known = Variables.All;
        foreach (var v in InputVariables.Concat(TargetVariables).Concat(ForcingVariables))
        {
            if (!known.Contains(v))
            {
                throw new ArgumentException($"Unknown variable '{v}' in task_config. Known variables: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
        }

        foreach (var f in ForcingVariables)
        {
            if (!InputVariables.Contains(f))
            {
                throw new ArgumentException($"Forcing variable '{f}' must also be an input variable.");
            }
        }

        if (PressureLevels.Count == 0 || PressureLevels.Distinct().Count() != PressureLevels.Count || PressureLevels.Any(l => l <= 0))
        {
            throw new ArgumentException($"task_config.pressure_levels [{string.Join(", ", PressureLevels)}] must be distinct positive hPa values.");
        }

        _ = InputFrames;
    }

    internal static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            switch (text[^1])
            {
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
            }
        }

        throw new ArgumentException($"Duration '{text}' is not of the form '12h' or '1d'.");
    }
}
