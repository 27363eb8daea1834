using System.Globalization;
using System.Text;

namespace GraphCast.Orleans.Api;

/// <summary>
/// The id of a server-sent step event: the last step of every member the stream has sent, in member order, with runs of
/// equal steps as <c>STEP*COUNT</c> (<c>3*2,1</c> is members 0 and 1 at step 3, member 2 at step 1). Because members commit
/// steps in order, it says exactly which (member, step) events a client has seen, so a reconnect with Last-Event-ID is
/// replayed from the run's stored progress without a gap or a repeat, on any silo.
/// </summary>
internal static class ProgressVector
{
    public static string Format(IReadOnlyList<int> steps)
    {
        var text = new StringBuilder();
        for (var i = 0; i < steps.Count;)
        {
            var run = 1;
            while (i + run < steps.Count && steps[i + run] == steps[i])
            {
                run++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(steps[i].ToString(CultureInfo.InvariantCulture));
            if (run > 1)
            {
                text.Append('*').Append(run.ToString(CultureInfo.InvariantCulture));
            }

            i += run;
        }

        return text.ToString();
    }

    /// <summary>Parses an id of a run with <paramref name="members"/> members whose steps are at most <paramref name="maxStep"/>; false if it is not one.</summary>
    public static bool TryParse(string text, int members, int maxStep, out int[] steps)
    {
        steps = new int[members];
        var at = 0;
        foreach (var group in text.Split(','))
        {
            var parts = group.Split('*');
            if (parts.Length > 2 ||
                !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step > maxStep)
            {
                return false;
            }

            var count = 1;
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 2))
            {
                return false;
            }

            if (at + count > members)
            {
                return false;
            }

            Array.Fill(steps, step, at, count);
            at += count;
        }

        return at == members;
    }
}
