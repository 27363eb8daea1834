namespace GraphCast.Orleans.Api.Tests;

/// <summary>One server-sent event as a client reads it.</summary>
public sealed record ServerSentEvent(string? Id, string Event, string Data)
{
    /// <summary>Reads events from <paramref name="stream"/> until <paramref name="stop"/> says so or the stream ends.</summary>
    public static async Task<List<ServerSentEvent>> ReadAsync(Stream stream, Func<List<ServerSentEvent>, bool> stop, CancellationToken cancellationToken)
    {
        var events = new List<ServerSentEvent>();
        using var reader = new StreamReader(stream);
        string? id = null, type = null, data = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    events.Add(new ServerSentEvent(id, type ?? "message", data));
                    if (stop(events))
                    {
                        return events;
                    }
                }

                id = type = data = null;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        return events;
    }
}
