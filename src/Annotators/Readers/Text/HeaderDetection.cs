using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Text;

/// <summary>Decides whether the first row of a table of typed cells is a header row.</summary>
internal static class HeaderDetection
{
    /// <summary>
    /// A header row has only non-empty, distinct text cells. Each column then votes: values below that are mostly
    /// numbers, dates or booleans under a text cell say header; text values of one fixed length under a cell of
    /// another length say header, of the same length say data. Without votes either way, a first row none of whose
    /// values recurs in its column below is taken as a header, as in most exports.
    /// </summary>
    public static bool FirstRowIsHeader(IReadOnlyList<IReadOnlyList<CellValue>> rows)
    {
        if (rows.Count == 0)
        {
            return false;
        }
        var first = rows[0];
        if (first.Count == 0 || first.Any(c => c.Kind != CellKind.Text || c.IsEmpty))
        {
            return false;
        }
        if (first.Select(c => c.Text.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count() != first.Count)
        {
            return false;
        }
        if (rows.Count == 1)
        {
            return true;
        }

        var votes = 0;
        var recurs = false;
        for (var column = 0; column < first.Count; column++)
        {
            var below = rows.Skip(1).Select(r => column < r.Count ? r[column] : CellValue.Empty).Where(c => !c.IsEmpty).ToList();
            if (below.Count == 0)
            {
                continue;
            }
            var header = first[column].Text.Trim();
            recurs |= below.Any(c => string.Equals(c.Text.Trim(), header, StringComparison.OrdinalIgnoreCase));
            var typed = below.Count(c => c.Kind is CellKind.Number or CellKind.DateTime or CellKind.Boolean);
            if (typed * 2 > below.Count)
            {
                votes++;
                continue;
            }
            var lengths = below.Select(c => c.Text.Trim().Length).Distinct().ToList();
            if (lengths.Count == 1 && below.Count > 1)
            {
                votes += lengths[0] == header.Length ? -1 : 1;
            }
        }
        return votes > 0 || (votes == 0 && !recurs);
    }
}
