using TorchSharp;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>
/// The context of one Init or Apply call: which parameters and state exist or are being created, the rng sequence,
/// and the module naming scopes. Like Haiku's frame it is per thread: a transformed function runs synchronously on the
/// thread that called Init/Apply.
/// </summary>
internal sealed class TransformFrame : IRandomSource
{
    [ThreadStatic]
    private static TransformFrame? _current;

    private readonly TransformMode _mode;
    private readonly Params? _params;
    private readonly State? _stateIn;
    private readonly List<KeyValuePair<ParamPath, Tensor>> _created = [];
    private readonly Dictionary<ParamPath, Tensor> _createdIndex = [];
    private readonly List<ParamPath> _stateOrder = [];
    private readonly Dictionary<ParamPath, Tensor> _stateOut = [];
    private readonly Stack<NameScope> _scopes = new();
    private readonly Stack<ScalarType> _parameterCasts = new();
    private readonly RngKey? _rng;
    private ulong _rngCounter;
    private bool _closed;

    private TransformFrame(TransformMode mode, Params? parameters, State? state, RngKey? rng, Device device)
    {
        _mode = mode;
        _params = parameters;
        _stateIn = state;
        _rng = rng;
        Device = device;
        _scopes.Push(new NameScope(""));
    }

    /// <summary>The frame of the transform running on this thread, or null outside every transform.</summary>
    public static TransformFrame? Current => _current;

    public TransformMode Mode => _mode;

    /// <summary>The parameters an Apply reads (null in Init).</summary>
    public Params? Parameters => _mode == TransformMode.Apply ? _params : null;

    /// <summary>Device on which Init creates parameters and state.</summary>
    public Device Device { get; }

    public bool IsClosed => _closed;

    /// <summary>Init that only learns the parameter tree: tensors are allocated but not initialised.</summary>
    public bool ShapesOnly { get; init; }

    internal NameScope CurrentScope => _scopes.Peek();

    public static TransformFrame ForInit(RngKey? rng, Device device, bool shapesOnly = false) =>
        new(TransformMode.Init, null, null, rng, device) { ShapesOnly = shapesOnly };

    public static TransformFrame ForApply(Params parameters, State state, RngKey? rng, Device device) =>
        new(TransformMode.Apply, parameters, state, rng, device);

    /// <summary>Makes this frame current on the calling thread until the returned handle is disposed.</summary>
    public IDisposable Enter()
    {
        if (_current is not null)
        {
            throw new InvalidOperationException(
                "A transformed function was called inside another transform's Init or Apply. Call Init/Apply of the inner " +
                "model outside, or build the inner model as a module of the outer one.");
        }

        _current = this;
        return new Exit(this);
    }

    internal IDisposable PushScope(NameScope scope)
    {
        _scopes.Push(scope);
        return new PopScope(this, scope);
    }

    internal IDisposable PushParameterCast(ScalarType dtype)
    {
        _parameterCasts.Push(dtype);
        return new PopCast(this);
    }

    public IReadOnlyList<KeyValuePair<ParamPath, Tensor>> CreatedParameters => _created;

    /// <summary>The state after the run: the input state with every update applied, in first-seen order.</summary>
    public IEnumerable<KeyValuePair<ParamPath, Tensor>> StateOut
    {
        get
        {
            foreach (var path in _stateOrder)
            {
                yield return new(path, _stateOut[path]);
            }

            if (_stateIn is not null)
            {
                foreach (var (path, tensor) in _stateIn)
                {
                    if (!_stateOut.ContainsKey(path))
                    {
                        yield return new(path, tensor.alias());
                    }
                }
            }
        }
    }

    public Tensor GetParameter(ParamPath path, long[] shape, ScalarType dtype, Initializer initializer)
    {
        Tensor value;
        if (_mode == TransformMode.Init)
        {
            if (!_createdIndex.TryGetValue(path, out value!))
            {
                // Parameters outlive any dispose scope a module opens inside the transform.
                value = CreateWith(initializer, shape, dtype, path).DetachFromDisposeScope();
                _created.Add(new(path, value));
                _createdIndex[path] = value;
            }
        }
        else if (!_params!.TryGet(path, out value!))
        {
            throw new MissingParameterException(path, "parameter");
        }

        if (!value.shape.SequenceEqual(shape))
        {
            throw new ParameterShapeException(path, shape, value.shape);
        }

        return _parameterCasts.Count > 0 && value.is_floating_point() ? value.to(_parameterCasts.Peek()) : value;
    }

    public Tensor GetState(ParamPath path, long[] shape, ScalarType dtype, Initializer initializer)
    {
        if (_stateOut.TryGetValue(path, out var updated))
        {
            return updated;
        }

        if (_mode == TransformMode.Apply)
        {
            if (!_stateIn!.TryGet(path, out var stored))
            {
                throw new MissingParameterException(path, "state");
            }

            if (!stored.shape.SequenceEqual(shape))
            {
                throw new ParameterShapeException(path, shape, stored.shape);
            }

            return stored;
        }

        var created = CreateWith(initializer, shape, dtype, path).DetachFromDisposeScope();
        Record(path, created);
        return created;
    }

    public void SetState(ParamPath path, Tensor value)
    {
        // Haiku: set_state in init only defines the initial value if none exists yet; in apply it updates.
        if (_mode == TransformMode.Init && _stateOut.ContainsKey(path))
        {
            return;
        }

        Record(path, value.alias().DetachFromDisposeScope());
    }

    public RngKey NextKey(string requester)
    {
        if (_rng is not { } key)
        {
            throw new MissingRngException(requester);
        }

        return key.Fold(++_rngCounter);
    }

    RngKey IRandomSource.NextKey() => NextKey("an initializer");

    /// <summary>Releases everything this frame created (an Init or Apply that failed).</summary>
    public void DisposeCreated()
    {
        foreach (var (_, t) in _created)
        {
            t.Dispose();
        }

        foreach (var t in _stateOut.Values)
        {
            t.Dispose();
        }
    }

    private void Record(ParamPath path, Tensor value)
    {
        if (_stateOut.TryGetValue(path, out var old))
        {
            old.Dispose();
        }
        else
        {
            _stateOrder.Add(path);
        }

        _stateOut[path] = value;
    }

    private Tensor CreateWith(Initializer initializer, long[] shape, ScalarType dtype, ParamPath path)
    {
        if (ShapesOnly)
        {
            // Shapes-only init: uninitialised storage, no random numbers drawn.
            return torch.empty(shape, dtype, Device);
        }

        var source = new PathRandomSource(this, path);
        var created = initializer(shape, dtype, source);
        if (!created.shape.SequenceEqual(shape))
        {
            throw new InvalidOperationException($"The initializer of '{path}' returned shape [{string.Join(", ", created.shape)}], not [{string.Join(", ", shape)}].");
        }

        return created.device == Device && created.dtype == dtype ? created : created.to(dtype, Device);
    }

    private sealed class PathRandomSource(TransformFrame frame, ParamPath path) : IRandomSource
    {
        public RngKey NextKey() => frame.NextKey(path.ToString());
    }

    private sealed class Exit(TransformFrame frame) : IDisposable
    {
        public void Dispose()
        {
            frame._closed = true;
            _current = null;
        }
    }

    private sealed class PopScope(TransformFrame frame, NameScope scope) : IDisposable
    {
        public void Dispose()
        {
            if (!ReferenceEquals(frame._scopes.Peek(), scope))
            {
                throw new InvalidOperationException("Module name scopes were exited out of order.");
            }

            frame._scopes.Pop();
        }
    }

    private sealed class PopCast(TransformFrame frame) : IDisposable
    {
        public void Dispose() => frame._parameterCasts.Pop();
    }
}

/// <summary>
/// One naming scope: the prefix of modules created in it (<c>""</c> at top level, <c>parent/~/</c> in a constructor,
/// <c>parent/</c> in a call, <c>parent/~method/</c> in another method) and the names already used in this invocation,
/// so that repeated names get Haiku's <c>_1</c>, <c>_2</c> suffixes.
/// </summary>
internal sealed class NameScope(string prefix)
{
    private readonly Dictionary<string, int> _counts = [];

    public string Prefix { get; } = prefix;

    public string Unique(string name)
    {
        _counts.TryGetValue(name, out var n);
        _counts[name] = n + 1;
        return n == 0 ? name : $"{name}_{n}";
    }
}
