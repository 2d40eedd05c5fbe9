using System.Numerics;

namespace Annotate.Annotators.Embeddings;

/// <summary>Arithmetic on embedding vectors.</summary>
public static class Vectors
{
    /// <summary>
    /// Cosine similarity in [-1, 1]; 0 when either vector is zero or the lengths differ. Each product is taken in single
    /// precision and the products summed in double precision, several lanes at a time: the order of the sums changes
    /// only the last bits of a double, far below the single-precision result, and one sum after another made a
    /// dependency chain that kept a label's comparison with the key vocabulary at a quarter of the speed.
    /// </summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            return 0f;
        }
        double dot = 0, normA = 0, normB = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            Vector<double> dotLow = default, dotHigh = default, aLow = default, aHigh = default, bLow = default, bHigh = default;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var va = new Vector<float>(a[i..]);
                var vb = new Vector<float>(b[i..]);
                Vector.Widen(va * vb, out var low, out var high);
                (dotLow, dotHigh) = (dotLow + low, dotHigh + high);
                Vector.Widen(va * va, out low, out high);
                (aLow, aHigh) = (aLow + low, aHigh + high);
                Vector.Widen(vb * vb, out low, out high);
                (bLow, bHigh) = (bLow + low, bHigh + high);
            }
            (dot, normA, normB) = (Vector.Sum(dotLow + dotHigh), Vector.Sum(aLow + aHigh), Vector.Sum(bLow + bHigh));
        }
        for (; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0f : (float)(dot / Math.Sqrt(normA * normB));
    }

    /// <summary>A copy of the vector scaled to length 1 (the zero vector stays zero).</summary>
    public static float[] Normalize(ReadOnlySpan<float> vector)
    {
        double norm = 0;
        foreach (var x in vector)
        {
            norm += x * x;
        }
        var result = vector.ToArray();
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < result.Length; i++)
            {
                result[i] *= scale;
            }
        }
        return result;
    }

    /// <summary>The normalised weighted mean of vectors of one length (a centroid); the zero vector when there are none.</summary>
    public static float[] Centroid(IReadOnlyList<float[]> vectors, IReadOnlyList<double>? weights = null)
    {
        if (vectors.Count == 0)
        {
            return [];
        }
        var sum = new float[vectors[0].Length];
        for (var v = 0; v < vectors.Count; v++)
        {
            var weight = (float)(weights?[v] ?? 1.0);
            var vector = vectors[v];
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += weight * vector[i];
            }
        }
        return Normalize(sum);
    }
}
