using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>Where the engine keeps runs, checkpoints and forecasts: a local folder, or an Azure Blob Storage container (section <see cref="SectionName"/>).</summary>
/// <remarks>
/// Exactly one of <see cref="LocalDirectory"/>, <see cref="ConnectionString"/> and <see cref="ServiceUri"/> is set.
/// <see cref="ToString"/> never shows the connection string: it may hold an account key or a SAS token.
/// </remarks>
public sealed partial class BlobStoreOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Storage";

    /// <summary>The container used when none is configured (DESIGN §5).</summary>
    public const string DefaultContainer = "graphcast";

    /// <summary>A local folder that holds the blobs as files (the embedded default). Created if missing.</summary>
    public string? LocalDirectory { get; set; }

    /// <summary>
    /// An Azure Storage connection string (Azurite's, or an account's with a key or SAS). A secret: keep it in user secrets,
    /// environment variables or a vault, never in a checked-in file.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A blob service endpoint such as <c>https://account.blob.core.windows.net</c>, reached with
    /// <c>DefaultAzureCredential</c> (managed identity, workload identity, Azure CLI login…). No query string: a SAS token
    /// belongs in <see cref="ConnectionString"/>.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container for <see cref="ConnectionString"/> or <see cref="ServiceUri"/>; created if missing.</summary>
    public string Container { get; set; } = DefaultContainer;

    /// <summary>Retries of a failed Azure request (connection refused, 5xx, timeouts) before the error reaches the caller.</summary>
    public int MaxRetries { get; set; } = AzureBlobStore.DefaultMaxRetries;

    /// <summary>Delay before the first retry; it doubles on each retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = AzureBlobStore.DefaultRetryDelay;

    /// <summary>Longest delay between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = AzureBlobStore.DefaultMaxRetryDelay;

    /// <summary>What the options point at, without secrets.</summary>
    public override string ToString() =>
        LocalDirectory is not null ? $"local folder '{LocalDirectory}'"
        : ConnectionString is not null ? $"container '{Container}' by connection string (hidden)"
        : ServiceUri is not null ? $"container '{Container}' at {ServiceUri} with DefaultAzureCredential"
        : "no store configured";

    /// <summary>Every problem with the options, each naming the setting and the fix; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        int backends = (LocalDirectory is null ? 0 : 1) + (ConnectionString is null ? 0 : 1) + (ServiceUri is null ? 0 : 1);
        if (backends != 1)
        {
            problems.Add(
                $"Set exactly one of {SectionName}:{nameof(LocalDirectory)}, {SectionName}:{nameof(ConnectionString)} and " +
                $"{SectionName}:{nameof(ServiceUri)} (found {backends}).");
        }

        if (LocalDirectory is not null && string.IsNullOrWhiteSpace(LocalDirectory))
        {
            problems.Add($"{SectionName}:{nameof(LocalDirectory)} is empty; give a folder path.");
        }

        if (ConnectionString is not null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add($"{SectionName}:{nameof(ConnectionString)} is empty; give an Azure Storage connection string.");
        }

        if (ServiceUri is not null && (!ServiceUri.IsAbsoluteUri || ServiceUri.Scheme is not ("https" or "http") || ServiceUri.Query.Length > 0))
        {
            problems.Add(
                $"{SectionName}:{nameof(ServiceUri)} '{ServiceUri.GetLeftPart(UriPartial.Path)}' must be an absolute http(s) blob " +
                "endpoint without a query string (put a SAS token in a connection string instead).");
        }

        if (LocalDirectory is null && !ContainerName().IsMatch(Container ?? string.Empty))
        {
            problems.Add(
                $"{SectionName}:{nameof(Container)} '{Container}' is not a valid container name: 3 to 63 lower-case letters, digits " +
                "and single hyphens, starting and ending with a letter or digit.");
        }

        if (MaxRetries < 0)
        {
            problems.Add($"{SectionName}:{nameof(MaxRetries)} is {MaxRetries}; it must be 0 or more.");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            problems.Add(
                $"{SectionName}:{nameof(RetryDelay)} ({RetryDelay}) must be positive and at most {SectionName}:{nameof(MaxRetryDelay)} ({MaxRetryDelay}).");
        }

        return problems;
    }

    [GeneratedRegex(@"^(?=.{3,63}\z)[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex ContainerName();
}
