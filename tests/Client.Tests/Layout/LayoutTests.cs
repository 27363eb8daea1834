using System.Text.RegularExpressions;
using GraphCast.Testing;
using Xunit.Abstractions;

namespace GraphCast.Orleans.Client.Tests.Layout;

/// <summary>
/// The layout's rules, checked on the compiled assemblies and the source tree: no namespace cycles inside a project, file
/// formats only in GraphCast.Formats, the network code free of file formats, the CLI a client (the silo and grains only in its
/// embedded host), and one public type per file named after it.
/// </summary>
public sealed partial class LayoutTests(ITestOutputHelper output)
{
    /// <summary>The product's assemblies (src/*), all of which the CLI's output folder holds.</summary>
    public static TheoryData<string> Assemblies => new()
    {
        "GraphCast.Formats",
        "GraphCast.Model",
        "GraphCast.Data",
        "GraphCast.Orleans.Abstractions",
        "GraphCast.Orleans.Storage",
        "GraphCast.Orleans.Grains",
        "GraphCast.Orleans.Api",
        "GraphCast.Orleans.Silo",
        "graphcast",
    };

    private static TypeReferenceGraph Graph(string assembly) =>
        TypeReferenceGraph.Read(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_namespace_of_a_project_depends_on_a_namespace_that_depends_back_on_it(string assembly)
    {
        var graph = Graph(assembly);
        var edges = NamespaceEdges(graph);
        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();
        foreach (var cycle in cycles)
        {
            foreach (var from in cycle)
            {
                foreach (var to in edges[from].Where(cycle.Contains))
                {
                    output.WriteLine($"{from} → {to} ({string.Join(", ", Witnesses(graph, from, to).Take(4))})");
                }
            }
        }

        Assert.True(cycles.Count == 0, $"{assembly} has namespace cycles: {string.Join("; ", cycles.Select(c => string.Join(" ↔ ", c.Order(StringComparer.Ordinal))))}");
    }

    [Fact]
    public void A_detected_cycle_is_reported_so_the_check_can_fail()
    {
        var edges = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };
        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).ToList();
        Assert.Equal(["A", "B", "C"], Assert.Single(cycles).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_network_code_uses_no_file_format_type()
    {
        string[] network = ["GraphCast.Model.Transforms", "GraphCast.Model.Modules", "GraphCast.Model.Network", "GraphCast.Model.Predictors"];
        var offending = Graph("GraphCast.Model").References
            .Where(r => network.Contains(TypeReferenceGraph.NamespaceOf(r.Key)))
            .SelectMany(r => r.Value
                .Where(t => TypeReferenceGraph.AssemblyOf(t) is "GraphCast.Formats" or "GraphCast.Data")
                .Select(t => $"{r.Key.FullName} → {t.FullName}"))
            .ToList();
        Assert.True(offending.Count == 0, "The network code reads files itself: " + string.Join("; ", offending));
    }

    [Theory]
    [InlineData("GraphCast.Model")]
    [InlineData("GraphCast.Orleans.Grains")]
    public void File_formats_have_one_home_outside_the_model_and_the_grains(string assembly)
    {
        // Each format's own vocabulary: a type named after it is a reader, writer or piece of that format.
        var format = FormatTypeName();
        var misplaced = Graph(assembly).References.Keys.Where(t => format.IsMatch(t.Name)).Select(t => t.FullName).ToList();
        Assert.True(misplaced.Count == 0, $"{assembly} declares file-format types: {string.Join(", ", misplaced)}");
        Assert.Contains(Graph("GraphCast.Formats").References.Keys, t => format.IsMatch(t.Name));
    }

    [Fact]
    public void The_client_uses_the_silo_and_grains_only_to_host_its_embedded_silo_and_of_the_model_only_configurations_and_forcings()
    {
        const string Host = "GraphCast.Orleans.Client.Hosting.EmbeddedSilo";
        var graph = Graph("graphcast");
        var offending = graph.References
            .Where(r => r.Key.FullName != Host)
            .SelectMany(r => r.Value.Where(ForbiddenInTheClient).Select(t => $"{r.Key.FullName} → {t.FullName}"))
            .Distinct()
            .ToList();
        Assert.True(offending.Count == 0, "Client types reach into the silo, the grains or the model: " + string.Join("; ", offending));

        // The check sees what it forbids: the host itself uses the silo's registration.
        var host = graph.References.Single(r => r.Key.FullName == Host).Value;
        Assert.Contains(host, t => TypeReferenceGraph.AssemblyOf(t) == "GraphCast.Orleans.Silo");
    }

    [Fact]
    public void The_client_project_references_abstractions_storage_data_and_the_silo_only()
    {
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot.Find(), "src", "Client", "GraphCast.Orleans.Client.csproj"));
        var references = csproj.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value)).Order(StringComparer.Ordinal);
        Assert.Equal(["GraphCast.Data", "GraphCast.Orleans.Abstractions", "GraphCast.Orleans.Silo", "GraphCast.Orleans.Storage"], references);
    }

    [Fact]
    public void The_api_is_a_client_of_abstractions_and_storage_and_uses_no_grain_silo_or_model_type()
    {
        var csproj = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot.Find(), "src", "Api", "GraphCast.Orleans.Api.csproj"));
        var references = csproj.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value)).Order(StringComparer.Ordinal);
        Assert.Equal(["GraphCast.Orleans.Abstractions", "GraphCast.Orleans.Storage"], references);

        var graph = Graph("GraphCast.Orleans.Api");
        var offending = graph.References
            .SelectMany(r => r.Value
                .Where(t => TypeReferenceGraph.AssemblyOf(t) is "GraphCast.Orleans.Silo" or "GraphCast.Orleans.Grains" or "TorchSharp" or "GraphCast.Model")
                .Select(t => $"{r.Key.FullName} → {t.FullName}"))
            .Distinct()
            .ToList();
        Assert.True(offending.Count == 0, "API types reach into the silo, the grains or the model: " + string.Join("; ", offending));
        // The check sees what the API does use: run grains through their interfaces, runs through storage.
        Assert.Contains(graph.References.Values.SelectMany(v => v), t => t.FullName == "GraphCast.Orleans.Abstractions.IForecastRunGrain");
        Assert.Contains(graph.References.Values.SelectMany(v => v), t => t.FullName == "GraphCast.Orleans.Storage.Runs.RunManifestStore");
    }

    /// <summary>What only the embedded silo's host may use: the silo, the grains, TorchSharp, and the model beyond its configurations and forcings.</summary>
    private static bool ForbiddenInTheClient(Mono.Cecil.TypeReference type) =>
        TypeReferenceGraph.AssemblyOf(type) switch
        {
            "GraphCast.Orleans.Silo" or "GraphCast.Orleans.Grains" or "TorchSharp" => true,
            "GraphCast.Model" => TypeReferenceGraph.NamespaceOf(type) is not ("GraphCast.Model.Configuration" or "GraphCast.Model.Forcings"),
            _ => false,
        };

    [Fact]
    public void Every_source_file_declares_at_most_one_public_type_named_after_the_file()
    {
        var root = RepositoryRoot.Find();
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var names = TopLevelPublicType().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value).ToList();
            var expected = Path.GetFileNameWithoutExtension(file);
            if (names.Count > 1 || (names.Count == 1 && names[0] != expected))
            {
                wrong.Add($"{Path.GetRelativePath(root, file)}: {string.Join(", ", names)}");
            }
        }

        Assert.True(wrong.Count == 0, "Files with several public types, or one named otherwise: " + string.Join("; ", wrong));
    }

    /// <summary>Namespace → the namespaces of the same assembly its types refer to.</summary>
    private static Dictionary<string, HashSet<string>> NamespaceEdges(TypeReferenceGraph graph)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (type, references) in graph.References)
        {
            var from = TypeReferenceGraph.NamespaceOf(type);
            if (!edges.TryGetValue(from, out var set))
            {
                edges[from] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (var reference in references.Where(r => TypeReferenceGraph.AssemblyOf(r) == graph.AssemblyName))
            {
                var to = TypeReferenceGraph.NamespaceOf(reference);
                if (to != from && to.Length > 0)
                {
                    set.Add(to);
                }
            }
        }

        return edges;
    }

    private static IEnumerable<string> Witnesses(TypeReferenceGraph graph, string from, string to) =>
        graph.References.Where(r => TypeReferenceGraph.NamespaceOf(r.Key) == from)
            .SelectMany(r => r.Value.Where(t => TypeReferenceGraph.AssemblyOf(t) == graph.AssemblyName && TypeReferenceGraph.NamespaceOf(t) == to)
                .Select(t => $"{r.Key.Name} uses {t.Name}"));

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> edges)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.TryGetValue(v, out var targets) ? targets : [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in edges.Keys.ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^(?:NetCdf|Hdf5|Grib|EcCodes|Npy|Npz|Safetensors|Zarr)[A-Z0-9]?")]
    private static partial Regex FormatTypeName();

    [GeneratedRegex(@"^public\s+(?:(?:static|sealed|abstract|readonly|partial|unsafe|ref)\s+)*(?:class|record\s+struct|record\s+class|record|struct|interface|enum|delegate\s+\S+)\s+(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelPublicType();
}
