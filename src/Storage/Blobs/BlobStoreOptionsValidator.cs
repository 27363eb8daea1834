using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace GraphCast.Orleans.Storage.Blobs;

/// <summary>Checks <see cref="BlobStoreOptions"/> when the host starts (<c>ValidateOnStart</c>).</summary>
public sealed class BlobStoreOptionsValidator : IValidateOptions<BlobStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
