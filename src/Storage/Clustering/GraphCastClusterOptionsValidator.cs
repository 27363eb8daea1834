using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Storage.Clustering;

/// <summary>Validates <see cref="GraphCastClusterOptions"/> at start.</summary>
public sealed class GraphCastClusterOptionsValidator : IValidateOptions<GraphCastClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, GraphCastClusterOptions options)
    {
        var problems = new List<string>();
        if (options.Clustering is not ("localhost" or "azure-table"))
        {
            problems.Add($"Cluster:Clustering '{options.Clustering}' must be 'localhost' or 'azure-table'.");
        }

        if (options.Clustering == "azure-table" && string.IsNullOrWhiteSpace(options.ConnectionString) == (options.TableServiceUri is null))
        {
            problems.Add("azure-table clustering needs exactly one of Cluster:ConnectionString (an Azure Storage connection string) and Cluster:TableServiceUri (an endpoint reached with DefaultAzureCredential).");
        }

        if (options.SiloPort is < 0 or > 65535 || options.GatewayPort is < 0 or > 65535)
        {
            problems.Add("Cluster:SiloPort and Cluster:GatewayPort must be TCP ports (0 picks a free one).");
        }

        if (options.Kubernetes && options.Clustering != "azure-table")
        {
            problems.Add("Cluster:Kubernetes=true needs Cluster:Clustering=azure-table (the membership table that every pod reads).");
        }

        if (options.SiloPort != 0 && options.SiloPort == options.GatewayPort)
        {
            problems.Add($"Cluster:SiloPort and Cluster:GatewayPort are both {options.SiloPort}: give them different ports.");
        }

        if (options.ShutdownTimeout is { } shutdown && shutdown <= TimeSpan.Zero)
        {
            problems.Add($"Cluster:ShutdownTimeout ({shutdown}) must be positive, or unset for the host's default.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            problems.Add("Cluster:ClusterId and Cluster:ServiceId must not be empty.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
