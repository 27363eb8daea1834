namespace GraphCast.Model.Transforms;

/// <summary>
/// Thrown when a <see cref="Module"/> is constructed (or used) outside a transform — the mistake of building
/// the model directly instead of inside <see cref="Transform.WithState{TIn,TOut}"/> / <see cref="Transform.Stateless{TIn,TOut}"/>.
/// </summary>
public sealed class ModuleOutsideTransformException : InvalidOperationException
{
    public ModuleOutsideTransformException(Type moduleType, string action)
        : base(BuildMessage(moduleType, action))
    {
        ModuleType = moduleType;
    }

    /// <summary>The module class that was constructed or used outside a transform.</summary>
    public Type ModuleType { get; }

    private static string BuildMessage(Type moduleType, string action) =>
        $"Module '{moduleType.Name}' was {action} outside a transform. All modules must be constructed inside a transform, " +
        "which turns the model into a pair of pure functions Init and Apply. Build the model inside the function you " +
        "pass to the transform instead of constructing it directly, for example:" + Environment.NewLine +
        $"    var model = Transform.WithState((Tensor x) => new {moduleType.Name}(/* config */).Call(x));" + Environment.NewLine +
        "    var (parameters, state) = model.Init(RngKey.FromSeed(42), inputs);" + Environment.NewLine +
        "    var (outputs, newState) = model.Apply(parameters, state, null, inputs);";
}
