using System.Globalization;

namespace Annotate.Annotators.Tests.Support;

/// <summary>What of a mapping is resident in this process, from <c>/proc/self/smaps</c>.</summary>
public static class MappedResidency
{
    /// <summary>The resident kilobytes of the mapping holding <paramref name="address"/>.</summary>
    public static long Kilobytes(nint address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, null, out var end))
            {
                inside = (ulong)address >= start && (ulong)address < end;
            }
            else if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("No mapping holds the address.");
    }
}
