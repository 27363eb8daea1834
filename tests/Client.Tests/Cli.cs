namespace GraphCast.Orleans.Client.Tests;

/// <summary>Runs <c>graphcast</c> in-process the way a shell would, capturing its exit code, output and error output.</summary>
internal static class Cli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CommandLine.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
