using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Finds e-mail addresses, URLs, phone numbers, dates, amounts, percentages, IBANs and VAT ids by pattern in the
/// text of every block and every text cell of every table, in one pass over each table's rows.
/// </summary>
public sealed class PatternEntityAnnotator : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "patterns";

    private const int CancellationCheckRows = 4096;

    /// <summary>Distinct cell texts per table whose matches are kept, so a repeated text is searched once.</summary>
    private const int KnownTexts = 10_000;

    private readonly EntityRecognizer _recognizer;
    private readonly int _maxEntities;

    /// <summary>Creates the annotator.</summary>
    public PatternEntityAnnotator(IOptions<PatternOptions> options)
    {
        _recognizer = new EntityRecognizer(options);
        _maxEntities = options.Value.MaxEntities;
    }

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 120;

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var blocks = context.Document.Blocks;
        var entities = context.Annotations.Entities;
        var budget = new Budget(_maxEntities - entities.Count);
        for (var i = 0; i < blocks.Count && !budget.Exhausted; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (blocks[i] is TableBlock table)
            {
                ScanTable(i, table, entities, budget, cancellationToken);
            }
            else
            {
                var block = blocks[i];
                foreach (var match in _recognizer.Find(block.Text))
                {
                    if (!budget.Take())
                    {
                        break;
                    }
                    entities.Add(ToAnnotation(match, block.Location with { Block = i, Offset = match.Index, Length = match.Length }));
                }
            }
        }
        if (budget.Exhausted)
        {
            // Under the list's lock: this annotator runs alongside the other local ones (RunsAlongside).
            lock (context.Annotations.Notices)
            {
                context.Annotations.Notices.Add(new Notice("entities-truncated",
                    $"More than {_maxEntities:N0} entities were found; only the first {_maxEntities:N0} are reported (Annotate:Patterns:MaxEntities).")
                {
                    Source = AnnotatorName,
                });
            }
        }
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    private void ScanTable(int blockIndex, TableBlock table, List<EntityAnnotation> entities, Budget budget, CancellationToken cancellationToken)
    {
        var rows = 0L;
        // A column repeats its values (names, e-mail addresses, codes): each distinct text is searched once, the
        // matches depend on the text alone. Bounded, so a table of unique texts costs no more than a set of that size.
        var known = new Dictionary<string, IReadOnlyList<EntityMatch>>(StringComparer.Ordinal);
        foreach (var row in table.Rows.Scan())
        {
            if (++rows % CancellationCheckRows == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            for (var column = 0; column < row.Cells.Count; column++)
            {
                var cell = row.Cells[column];
                // A typed number or date is a value, not an entity: only text is scanned.
                if (cell.Kind != CellKind.Text || cell.IsEmpty)
                {
                    continue;
                }
                var text = cell.Text;
                if (!known.TryGetValue(text, out var matches))
                {
                    matches = _recognizer.Find(text);
                    if (known.Count < KnownTexts)
                    {
                        known.Add(text, matches);
                    }
                }
                foreach (var match in matches)
                {
                    if (!budget.Take())
                    {
                        return;
                    }
                    entities.Add(ToAnnotation(match, new SourceLocation
                    {
                        Block = blockIndex,
                        Page = table.Location.Page,
                        Sheet = table.Location.Sheet,
                        Cell = table.CellReference(column, row.Number),
                        Offset = match.Index,
                        Length = match.Length,
                    }));
                }
            }
        }
    }

    private static EntityAnnotation ToAnnotation(EntityMatch match, SourceLocation location) => new()
    {
        Type = match.Type,
        Text = match.Text,
        Value = match.Value,
        Currency = match.Currency,
        Location = location,
        Annotator = AnnotatorName,
    };

    private sealed class Budget(int remaining)
    {
        public bool Exhausted { get; private set; }

        public bool Take()
        {
            if (remaining <= 0)
            {
                Exhausted = true;
                return false;
            }
            remaining--;
            return true;
        }
    }
}
