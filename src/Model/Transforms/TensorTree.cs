using System.Collections;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace GraphCast.Model.Transforms;

/// <summary>
/// Finds the tensors inside a transformed function's output: a tensor, an <see cref="ITensorContainer"/>, a tuple,
/// a key/value pair, or any enumerable (lists, arrays, dictionaries) of those, nested.
/// </summary>
public static class TensorTree
{
    public static IEnumerable<Tensor> Leaves(object? value)
    {
        switch (value)
        {
            case null:
                yield break;
            case Tensor t:
                yield return t;
                yield break;
            case ITensorContainer c:
                foreach (var t in c.Tensors)
                {
                    yield return t;
                }

                yield break;
            case string:
                yield break;
            case ITuple tuple:
                for (var i = 0; i < tuple.Length; i++)
                {
                    foreach (var t in Leaves(tuple[i]))
                    {
                        yield return t;
                    }
                }

                yield break;
            case DictionaryEntry entry:
                foreach (var t in Leaves(entry.Value))
                {
                    yield return t;
                }

                yield break;
            case IEnumerable items:
                foreach (var item in items)
                {
                    foreach (var t in Leaves(item))
                    {
                        yield return t;
                    }
                }

                yield break;
        }

        var type = value.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
        {
            foreach (var t in Leaves(type.GetProperty("Value")!.GetValue(value)))
            {
                yield return t;
            }
        }
    }
}
