using ScottPlot;

namespace Annotate.Annotators.Evaluation;

/// <summary>
/// The histogram of text similarities as a PNG (ScottPlot over SkiaSharp, whose Linux native library ships in its
/// package): bins of 0.05, the bucket boundaries 0.4 and 0.5 marked, two runs side by side when compared.
/// </summary>
public static class SimilarityHistogram
{
    /// <summary>The file name the report refers to.</summary>
    public const string FileName = "similarity.png";

    private const double BinWidth = 0.05;

    /// <summary>Renders the histogram of <paramref name="report"/>'s similarities (of both runs when two are compared).</summary>
    public static byte[] Render(EvaluationReport report, int width = 900, int height = 500)
    {
        var runs = new List<EvaluationRun> { report.Run };
        if (report.Compared is { } compared)
        {
            runs.Add(compared);
        }
        var lowest = runs.SelectMany(r => r.Similarities).DefaultIfEmpty(0).Min();
        var start = Math.Min(0, Math.Floor(lowest / BinWidth) * BinWidth);
        var bins = (int)Math.Round((1.0 - start) / BinWidth);

        using var plot = new Plot();
        Color[] colours = [Colors.SteelBlue, Colors.DarkOrange];
        var barWidth = BinWidth / runs.Count * 0.9;
        var highest = 0;
        for (var r = 0; r < runs.Count; r++)
        {
            var counts = new int[bins];
            foreach (var similarity in runs[r].Similarities)
            {
                // 1.0 belongs in the last bin, not one past it.
                counts[Math.Clamp((int)Math.Floor((similarity - start) / BinWidth), 0, bins - 1)]++;
            }
            highest = Math.Max(highest, counts.DefaultIfEmpty(0).Max());
            var bars = Enumerable.Range(0, bins).Select(i => new Bar
            {
                Position = start + (i + 0.5) * BinWidth + (runs.Count == 1 ? 0 : (r - 0.5) * barWidth),
                Value = counts[i],
                Size = barWidth,
                FillColor = colours[r],
                LineWidth = 0,
            }).ToList();
            var series = plot.Add.Bars(bars);
            series.LegendText = runs.Count == 1 ? runs[r].Label : $"{(r == 0 ? "A" : "B")}: {runs[r].Label}";
        }
        // The bucket boundaries, named in the legend (labels on the axis would overlap, 0.1 apart).
        foreach (var (x, label, pattern) in new[] { (Evaluator.SomewhatSimilar, "0.4: somewhat similar from here", LinePattern.Dotted), (Evaluator.StronglySimilar, "0.5: strongly similar from here", LinePattern.Dashed) })
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = Colors.Gray;
            line.LinePattern = pattern;
            line.LegendText = label;
        }
        // Counts are whole numbers.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimits(start - BinWidth / 2, 1 + BinWidth / 2, 0, Math.Max(1, highest) * 1.15);
        plot.Title("Similarity of text fields to the references");
        plot.XLabel("cosine similarity of sentence embeddings");
        plot.YLabel("values");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
