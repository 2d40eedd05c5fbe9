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
    private const int MaxKnownTexts = 10_000;

    /// <summary>
    /// A column whose texts do not repeat (notes, ids: fewer than one in <see cref="RepeatRatio"/> of its first
    /// <see cref="TrialTexts"/> new texts seen before) stops being remembered, so its texts are neither hashed nor
    /// kept, and leaves the room to the columns that repeat.
    /// </summary>
    private const int TrialTexts = 1024;

    private const int RepeatRatio = 16;

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
        var known = new KnownTexts();
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
                var matches = known.Find(column, text) ?? known.Add(column, text, _recognizer.Find(text));
                // By index: a foreach over the list's interface would allocate an enumerator per cell.
                for (var m = 0; m < matches.Count; m++)
                {
                    var match = matches[m];
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

    /// <summary>The matches of texts seen before, per column, for the columns whose texts repeat.</summary>
    private sealed class KnownTexts
    {
        private readonly List<Column?> _columns = [];
        private int _count;

        public IReadOnlyList<EntityMatch>? Find(int column, string text)
        {
            var memo = column < _columns.Count ? _columns[column] : null;
            if (memo?.Texts is not { } texts || !texts.TryGetValue(text, out var matches))
            {
                return null;
            }
            memo.Repeats++;
            return matches;
        }

        public IReadOnlyList<EntityMatch> Add(int column, string text, IReadOnlyList<EntityMatch> matches)
        {
            while (_columns.Count <= column)
            {
                _columns.Add(null);
            }
            var memo = _columns[column] ??= new Column();
            if (memo.Texts is not { } texts)
            {
                return matches;
            }
            if (++memo.New >= TrialTexts && memo.Repeats * RepeatRatio < memo.New)
            {
                _count -= texts.Count;
                memo.Texts = null;
            }
            else if (_count < MaxKnownTexts)
            {
                texts.Add(text, matches);
                _count++;
            }
            return matches;
        }

        private sealed class Column
        {
            public Dictionary<string, IReadOnlyList<EntityMatch>>? Texts { get; set; } = new(StringComparer.Ordinal);

            public int New { get; set; }

            public int Repeats { get; set; }
        }
    }

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
