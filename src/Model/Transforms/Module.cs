using System.Text;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>
/// Base class of every model component built through a transform (Haiku's <c>hk.Module</c>). A module can only be
/// constructed while a transform's Init or Apply runs; it gets a unique path from the scope it was created in and
/// creates or reads its parameters and state by name through the current frame.
/// </summary>
/// <remarks>
/// Naming follows Haiku: the default name is the class name in snake_case; a module created at top level is named
/// <c>name</c>; one created in a parent's constructor (inside <see cref="ConstructorScope"/>) is
/// <c>parent/~/name</c>; one created while the parent is being called (inside <see cref="MethodScope"/> with the default
/// method) is <c>parent/name</c>; one created in another named method is <c>parent/~method/name</c>. Repeated names in
/// one scope invocation get <c>_1</c>, <c>_2</c>, … suffixes; names restart on every call of the parent, so a module
/// called twice reuses its submodules' parameters.
/// </remarks>
public abstract class Module
{
    /// <summary>The method name that adds no <c>~method</c> segment (Haiku's <c>__call__</c>).</summary>
    public const string CallMethod = "__call__";

    private readonly TransformFrame _frame;
    private NameScope? _constructorScope;

    protected Module(string? name = null)
    {
        _frame = TransformFrame.Current ?? throw new ModuleOutsideTransformException(GetType(), "constructed");
        var scope = _frame.CurrentScope;
        Name = scope.Unique(name ?? SnakeCase(GetType().Name));
        Path = scope.Prefix + Name;
    }

    /// <summary>The last segment of <see cref="Path"/>, after de-duplication.</summary>
    public string Name { get; }

    /// <summary>The full module path, e.g. <c>mlp/~/linear_0</c>.</summary>
    public string Path { get; }

    /// <summary>Init creates parameters; Apply reads them.</summary>
    protected TransformMode Mode => LiveFrame().Mode;

    /// <summary>The device on which Init creates parameters.</summary>
    protected Device Device => LiveFrame().Device;

    /// <summary>
    /// Gets (Apply) or creates (Init) the parameter <paramref name="name"/> of this module with the given shape;
    /// a stored tensor of another shape is an error naming the path.
    /// </summary>
    protected Tensor GetParameter(string name, long[] shape, Initializer initializer, ScalarType dtype = ScalarType.Float32) =>
        LiveFrame().GetParameter(new ParamPath(Path, name), shape, dtype, initializer);

    /// <summary>Gets (or, in Init, creates) the state tensor <paramref name="name"/> of this module.</summary>
    protected Tensor GetState(string name, long[] shape, Initializer initializer, ScalarType dtype = ScalarType.Float32) =>
        LiveFrame().GetState(new ParamPath(Path, name), shape, dtype, initializer);

    /// <summary>Sets the state tensor <paramref name="name"/> (in Init only when it has no value yet, as in Haiku).</summary>
    protected void SetState(string name, Tensor value) => LiveFrame().SetState(new ParamPath(Path, name), value);

    /// <summary>A fresh rng key from the transform's sequence; a <see cref="MissingRngException"/> if it has none.</summary>
    protected RngKey NextRngKey() => LiveFrame().NextKey(Path);

    /// <summary>Submodules created while the returned scope is open are named <c>Path/~/child</c> (Haiku's <c>__init__</c>).</summary>
    protected IDisposable ConstructorScope() =>
        LiveFrame().PushScope(_constructorScope ??= new NameScope(Path + "/~/"));

    /// <summary>
    /// Submodules created while the returned scope is open are named <c>Path/child</c> for <see cref="CallMethod"/>
    /// and <c>Path/~method/child</c> for any other method name.
    /// </summary>
    protected IDisposable MethodScope(string method = CallMethod) =>
        LiveFrame().PushScope(new NameScope(method == CallMethod ? Path + "/" : $"{Path}/~{method}/"));

    private TransformFrame LiveFrame()
    {
        var current = TransformFrame.Current;
        if (current is null || _frame.IsClosed)
        {
            throw new ModuleOutsideTransformException(GetType(), "used after its transform finished, or");
        }

        if (!ReferenceEquals(current, _frame))
        {
            throw new InvalidOperationException($"Module '{Path}' belongs to another Init/Apply call; modules live for one call only.");
        }

        return _frame;
    }

    /// <summary>Haiku's default module name: CamelCase class name to snake_case (<c>LayerNorm</c> → <c>layer_norm</c>, <c>MLP</c> → <c>mlp</c>).</summary>
    public static string SnakeCase(string typeName)
    {
        var tick = typeName.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            typeName = typeName[..tick];
        }

        var sb = new StringBuilder(typeName.Length + 4);
        for (var i = 0; i < typeName.Length; i++)
        {
            var c = typeName[i];
            if (char.IsUpper(c))
            {
                var prevLower = i > 0 && (char.IsLower(typeName[i - 1]) || char.IsDigit(typeName[i - 1]));
                var nextLower = i + 1 < typeName.Length && char.IsLower(typeName[i + 1]) && i > 0 && char.IsUpper(typeName[i - 1]);
                if (prevLower || nextLower)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
