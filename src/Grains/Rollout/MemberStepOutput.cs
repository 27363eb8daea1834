using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Orleans.Grains.Rollout;

/// <summary>The outputs of one committed member step: per output variable, float32 <c>[levels, lat, lon]</c>.</summary>
public sealed record MemberStepOutput(int Step, DateTime ValidTime, IReadOnlyDictionary<string, float[]> Variables, double Seconds);
