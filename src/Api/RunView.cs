using GraphCast.Orleans.Abstractions;
using GraphCast.Orleans.Storage.Runs;

namespace GraphCast.Orleans.Api;

/// <summary>A run as the API shows it: the spec in the request's vocabulary, its state, and each member's committed step.</summary>
public sealed record RunView
{
    public required string RunId { get; init; }

    public required RunState State { get; init; }

    /// <summary>The spec, as a <c>POST /v1/runs</c> body that asks for this run.</summary>
    public required ForecastRequest Spec { get; init; }

    /// <summary>Steps committed by all members together, and how many the run has in all (members × steps).</summary>
    public required long CommittedSteps { get; init; }

    public required long TotalSteps { get; init; }

    public DateTime CreatedUtc { get; init; }

    public DateTime? CompletedUtc { get; init; }

    public string? Error { get; init; }

    /// <summary>Why members of a running run have not started yet (e.g. no silo offers compute), or null.</summary>
    public string? Waiting { get; init; }

    public string? ModelHash { get; init; }

    /// <summary>Each member's last committed step, state, step times and silo.</summary>
    public IReadOnlyList<MemberProgress> Members { get; init; } = [];

    public static RunView From(RunStatus status, bool withMembers = true)
    {
        ArgumentNullException.ThrowIfNull(status);
        var spec = status.Spec;
        return new RunView
        {
            RunId = status.RunId,
            State = status.State,
            Spec = new ForecastRequest
            {
                RunId = spec.RunId,
                Model = spec.Model,
                Members = spec.Members,
                Steps = spec.Steps,
                Seed = spec.Seed,
                Init = spec.InitialCondition,
                InitTime = spec.InitTime,
                Perturb = spec.Perturbation.ToString(),
                Compression = spec.Compression ?? "none",
                CheckpointEvery = spec.CheckpointEvery,
                Variables = spec.OutputVariables,
                Regions = spec.Regions ?? [],
                ParamPerturbation = spec.ParamPerturbation,
            },
            CommittedSteps = status.Members.Sum(m => (long)m.Step),
            TotalSteps = (long)spec.Members * spec.Steps,
            CreatedUtc = status.CreatedUtc,
            CompletedUtc = status.CompletedUtc,
            Error = status.Error,
            Waiting = status.Waiting,
            ModelHash = status.ModelHash,
            Members = withMembers ? status.Members : [],
        };
    }
}
