using Mono.Cecil;
using Mono.Cecil.Cil;

namespace GraphCast.Orleans.Client.Tests.Layout;

/// <summary>
/// Which types each type of a compiled assembly refers to: its base type, interfaces, attributes, fields, properties, events,
/// method signatures and every type, method and field its IL names. Compiler-generated and nested types count as their
/// outermost declaring type, so a lambda's closure belongs to the method's class.
/// </summary>
internal sealed class TypeReferenceGraph
{
    private TypeReferenceGraph(string assemblyName, IReadOnlyDictionary<TypeDefinition, HashSet<TypeReference>> references)
    {
        AssemblyName = assemblyName;
        References = references;
    }

    public string AssemblyName { get; }

    /// <summary>Top-level type → every type reference found in it and its nested types (generic arguments unwrapped).</summary>
    public IReadOnlyDictionary<TypeDefinition, HashSet<TypeReference>> References { get; }

    /// <summary>Reads the assembly <paramref name="path"/> (its dependencies are resolved from the same folder).</summary>
    public static TypeReferenceGraph Read(string path)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(path)!);
        using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { AssemblyResolver = resolver });
        var references = new Dictionary<TypeDefinition, HashSet<TypeReference>>();
        foreach (var type in module.Types.Where(t => t.Name != "<Module>"))
        {
            var found = new HashSet<TypeReference>(TypeReferenceComparer.Instance);
            Collect(type, found);
            references[type] = found;
        }

        return new TypeReferenceGraph(module.Assembly.Name.Name, references);
    }

    /// <summary>The namespace of a top-level type, or of the outermost type declaring a nested one.</summary>
    public static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    /// <summary>The assembly a reference points into (its own module's assembly for a definition).</summary>
    public static string AssemblyOf(TypeReference type) => type.Scope switch
    {
        ModuleDefinition module => module.Assembly.Name.Name,
        AssemblyNameReference name => name.Name,
        _ => type.Scope.Name,
    };

    private static void Collect(TypeDefinition type, HashSet<TypeReference> found)
    {
        Add(type.BaseType, found);
        foreach (var i in type.Interfaces)
        {
            Add(i.InterfaceType, found);
        }

        Attributes(type.CustomAttributes, found);
        foreach (var g in type.GenericParameters)
        {
            foreach (var c in g.Constraints)
            {
                Add(c.ConstraintType, found);
            }
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType, found);
            Attributes(field.CustomAttributes, found);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType, found);
            Attributes(property.CustomAttributes, found);
        }

        foreach (var e in type.Events)
        {
            Add(e.EventType, found);
        }

        foreach (var method in type.Methods)
        {
            Add(method.ReturnType, found);
            Attributes(method.CustomAttributes, found);
            foreach (var p in method.Parameters)
            {
                Add(p.ParameterType, found);
                Attributes(p.CustomAttributes, found);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var local in method.Body.Variables)
            {
                Add(local.VariableType, found);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                Operand(instruction, found);
            }
        }

        foreach (var nested in type.NestedTypes)
        {
            Collect(nested, found);
        }
    }

    private static void Operand(Instruction instruction, HashSet<TypeReference> found)
    {
        switch (instruction.Operand)
        {
            case TypeReference t:
                Add(t, found);
                break;
            case MethodReference m:
                Add(m.DeclaringType, found);
                Add(m.ReturnType, found);
                foreach (var p in m.Parameters)
                {
                    Add(p.ParameterType, found);
                }

                if (m is GenericInstanceMethod g)
                {
                    foreach (var a in g.GenericArguments)
                    {
                        Add(a, found);
                    }
                }

                break;
            case FieldReference f:
                Add(f.DeclaringType, found);
                Add(f.FieldType, found);
                break;
        }
    }

    private static void Attributes(IEnumerable<CustomAttribute> attributes, HashSet<TypeReference> found)
    {
        foreach (var a in attributes)
        {
            Add(a.AttributeType, found);
            foreach (var argument in a.ConstructorArguments)
            {
                if (argument.Value is TypeReference t)
                {
                    Add(t, found);
                }
            }
        }
    }

    private static void Add(TypeReference? type, HashSet<TypeReference> found)
    {
        switch (type)
        {
            case null:
            case GenericParameter:
                return;
            case GenericInstanceType generic:
                Add(generic.ElementType, found);
                foreach (var a in generic.GenericArguments)
                {
                    Add(a, found);
                }

                return;
            case TypeSpecification spec:
                Add(spec.ElementType, found);
                return;
            default:
                found.Add(type);
                return;
        }
    }

    private sealed class TypeReferenceComparer : IEqualityComparer<TypeReference>
    {
        public static readonly TypeReferenceComparer Instance = new();

        public bool Equals(TypeReference? x, TypeReference? y) => x?.FullName == y?.FullName && (x is null || AssemblyOf(x) == AssemblyOf(y!));

        public int GetHashCode(TypeReference obj) => obj.FullName.GetHashCode(StringComparison.Ordinal);
    }
}
