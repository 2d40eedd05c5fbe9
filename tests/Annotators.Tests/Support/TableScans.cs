using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Tests.Support;

/// <summary><see cref="ITableRows.Scan"/>: the rows an enumeration gives, with one cells list handed out again for every row.</summary>
public static class TableScans
{
    /// <summary>
    /// Asserts that a scan of <paramref name="rows"/> gives <paramref name="expected"/> (copied as they go by, as a scan's
    /// caller must) and, when <paramref name="reusesCells"/>, that every row came in the same cells list.
    /// </summary>
    public static void AssertScanIsEnumeration(ITableRows rows, IReadOnlyList<TableRow> expected, bool reusesCells = true)
    {
        var scanned = new List<(long Number, CellValue[] Cells)>();
        var lists = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows.Scan())
        {
            scanned.Add((row.Number, row.Cells.ToArray()));
            lists.Add(row.Cells);
        }
        Assert.Equal(expected.Count, scanned.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            Assert.Equal(expected[r].Number, scanned[r].Number);
            Assert.Equal(expected[r].Cells, scanned[r].Cells);
        }
        if (reusesCells)
        {
            Assert.Single(lists);
        }
        else
        {
            Assert.Equal(expected.Count, lists.Count);
        }
    }
}
