using System.Numerics;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// A HyperLogLog sketch (Flajolet et al., with the small-range correction): estimates the number of distinct
/// strings in fixed memory. 2^14 registers give a standard error of about 0.8 % in 16 KB.
/// </summary>
internal sealed class HyperLogLog
{
    private const int Precision = 14;
    private const int RegisterCount = 1 << Precision;
    private readonly byte[] _registers = new byte[RegisterCount];

    /// <summary>Adds a value.</summary>
    public void Add(string value) => Add(value.AsSpan());

    /// <summary>Adds a value given as characters (the same estimate as its string).</summary>
    public void Add(ReadOnlySpan<char> value) => AddHash(Hash(value));

    private const ulong KeyTag = 0x94d049bb133111ebUL;

    private void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rest = (hash << Precision) | (1UL << (Precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    /// <summary>
    /// Adds a value given as a 64-bit key (a number's bits, a date's ticks); <paramref name="seed"/> keeps apart keys of
    /// different kinds. A key and a string never count as the same value.
    /// </summary>
    public void Add(long key, ulong seed) => AddHash(Mix(Mix((ulong)key ^ seed) ^ KeyTag));

    /// <summary>The estimated number of distinct values added.</summary>
    public long Estimate()
    {
        double sum = 0;
        var zeros = 0;
        foreach (var register in _registers)
        {
            sum += Math.Pow(2, -register);
            if (register == 0)
            {
                zeros++;
            }
        }
        var alpha = 0.7213 / (1 + (1.079 / RegisterCount));
        var estimate = alpha * RegisterCount * RegisterCount / sum;
        if (estimate <= 2.5 * RegisterCount && zeros > 0)
        {
            estimate = RegisterCount * Math.Log((double)RegisterCount / zeros);
        }
        return (long)Math.Round(estimate);
    }

    // FNV-1a over the UTF-16 code units, finished with the MurmurHash3 mixer so that every bit of the result
    // depends on every input bit (FNV alone leaves the high bits too regular for the register index).
    private static ulong Hash(ReadOnlySpan<char> value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return Mix(hash);
    }

    /// <summary>MurmurHash3's 64-bit finalizer.</summary>
    private static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
