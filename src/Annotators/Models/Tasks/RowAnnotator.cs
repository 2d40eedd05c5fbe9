using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Grammar;
using Annotate.Annotators.Models.Tasks.Rows;
using Annotate.Annotators.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Fills the profile's row fields (a label, a normalised value, a short note) for every row of every table with the
/// language model. Rows are streamed in groups sized to fit the model context, several groups are decoded at once, and
/// the answers land in <see cref="AnnotationSet.Rows"/>, which the workbook and CSV writers add as new columns.
/// </summary>
public sealed class RowAnnotator : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "rows";

    /// <summary>Notice raised when the document has more rows than <see cref="RowAnnotatorOptions.MaxRows"/>.</summary>
    public const string LimitNotice = "rows-limit";

    /// <summary>Notice raised when rows were cut to fit the model context.</summary>
    public const string TruncatedNotice = "rows-truncated";

    // A row line below this many tokens tells the model nothing useful; the profile's fields then leave no room.
    private const int MinimumLineTokens = 16;

    private readonly ILanguageModel _model;
    private readonly StructuredGenerator _generator;
    private readonly ModelOptions _modelOptions;
    private readonly RowAnnotatorOptions _options;
    private readonly ILogger<RowAnnotator> _logger;

    /// <summary>Creates the annotator.</summary>
    /// <param name="model">The loaded model (token counts, context size, status).</param>
    /// <param name="generator">Schema-constrained generation over <paramref name="model"/>.</param>
    /// <param name="modelOptions">How many sequences the model decodes together (<see cref="ModelOptions.ParallelSequences"/>).</param>
    /// <param name="options">Row limits.</param>
    /// <param name="logger">Logger.</param>
    public RowAnnotator(ILanguageModel model, StructuredGenerator generator, IOptions<ModelOptions> modelOptions, IOptions<RowAnnotatorOptions> options, ILogger<RowAnnotator> logger)
    {
        _model = model;
        _generator = generator;
        _modelOptions = modelOptions.Value;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 540;

    /// <inheritdoc />
    public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        if (profile.RowFields.Count == 0)
        {
            return AnnotatorOutcome.Skipped($"profile '{profile.Name}' has no row fields");
        }
        var tables = context.Document.Blocks
            .Select((block, index) => (Table: block as TableBlock, Index: index))
            .Where(t => t.Table is not null)
            .Select(t => (Table: t.Table!, t.Index))
            .ToList();
        if (tables.Count == 0)
        {
            return AnnotatorOutcome.Skipped("the document has no tables");
        }
        if (await ModelTasks.CheckAvailableAsync(_model, context, cancellationToken).ConfigureAwait(false) is { } skipped)
        {
            return skipped;
        }
        var prompt = new RowPrompt(profile);

        var started = Stopwatch.GetTimestamp();
        var run = new RowRun(this, prompt, context, cancellationToken);
        var results = await run.ExecuteAsync(tables).ConfigureAwait(false);

        var annotations = new RowAnnotations
        {
            Fields = prompt.Fields.Select(f => f.Name).ToList(),
            Provenance = ModelTasks.Provenance(_model, profile, RowPrompt.Version),
            Annotator = AnnotatorName,
        };
        foreach (var (table, index) in tables)
        {
            if (!results.TryGetValue(index, out var rows) || rows.Count == 0)
            {
                continue;
            }
            var tableAnnotations = new TableRowAnnotations { Sheet = table.Location.Sheet, Table = table.Name, Block = index };
            foreach (var (number, values) in rows)
            {
                tableAnnotations.Rows[number] = values;
            }
            annotations.Tables.Add(tableAnnotations);
        }
        context.Annotations.Rows = annotations;
        _logger.LogInformation("Annotated {Rows} rows of {Tables} tables of {File} in {Groups} model calls ({Seconds:0.0} s)",
            run.RowsAnnotated, annotations.Tables.Count, context.Document.FileName, run.Calls, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return AnnotatorOutcome.Done;
    }

    /// <summary>A row waiting for the model: its sheet row number and its line without the position prefix.</summary>
    private sealed record PendingRow(long Number, string Line, int Tokens);

    /// <summary>The answers of one group: values by field, per row number.</summary>
    private sealed record GroupResult(int Block, IReadOnlyList<(long Number, Dictionary<string, string?> Values)> Rows);

    /// <summary>The state of annotating one document: the groups in flight, the results, the counters.</summary>
    private sealed class RowRun(RowAnnotator owner, RowPrompt prompt, AnnotationContext context, CancellationToken cancellationToken)
    {
        private readonly Dictionary<int, SortedDictionary<long, Dictionary<string, string?>>> _results = [];
        private readonly List<Task<GroupResult>> _inFlight = [];
        private readonly Dictionary<int, int> _outputTokens = [];
        private readonly int _contextSize = owner._model.Status.ContextSize;
        private readonly int _rowsPerPrompt = Math.Max(1, context.Profile.RowsPerPrompt);
        private readonly int _parallel = Math.Max(1, owner._modelOptions.ParallelSequences);
        private readonly int _maxCell = owner._options.MaxCellCharacters;
        private int _truncated;

        public int RowsAnnotated { get; private set; }

        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public async Task<Dictionary<int, SortedDictionary<long, Dictionary<string, string?>>>> ExecuteAsync(IReadOnlyList<(TableBlock Table, int Index)> tables)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var limited = false;
                foreach (var (table, index) in tables)
                {
                    if (!await AnnotateTableAsync(table, index, linked.Token).ConfigureAwait(false))
                    {
                        limited = true;
                        break;
                    }
                }
                while (_inFlight.Count > 0)
                {
                    await HarvestOneAsync().ConfigureAwait(false);
                }
                if (limited)
                {
                    AddLimitNotice(tables);
                }
                if (_truncated > 0)
                {
                    context.Annotations.Notices.Add(new Notice(TruncatedNotice, string.Create(CultureInfo.InvariantCulture,
                        $"{_truncated:N0} rows or table headers of '{context.Document.FileName}' were too long for the model context of {_contextSize:N0} tokens and were cut to fit; their row annotations rest on the start of the row."))
                    { Source = AnnotatorName });
                }
                return _results;
            }
            catch
            {
                // One failed group fails the document: stop the others rather than let them decode for nothing.
                await linked.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(_inFlight).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The first failure is the one reported; the others are its consequences (mostly cancellations).
                }
                throw;
            }
        }

        /// <summary>Queues the table's rows in groups; false when the document's row limit stopped it.</summary>
        private async Task<bool> AnnotateTableAsync(TableBlock table, int index, CancellationToken token)
        {
            var header = RowPrompt.TableHeader(table, _maxCell);
            var systemTokens = owner._model.CountTokens(prompt.System) + RowPrompt.FormatOverheadTokens;
            var rowRoom = _contextSize - systemTokens - OutputTokens(1) - RowPrompt.PositionTokens;
            if (rowRoom - MinimumLineTokens < MinimumLineTokens)
            {
                throw new AnnotationException(FailureReason.InvalidRequest, string.Create(CultureInfo.InvariantCulture,
                    $"The row fields of profile '{context.Profile.Name}' leave no room for the rows of '{context.Document.FileName}': the instructions take {systemTokens:N0} tokens and one row's answer up to {OutputTokens(1):N0}, in a model context of {_contextSize:N0} tokens. Shorten the fields' MaxLength or the instructions, or raise Annotate:Model:ContextSize."));
            }
            // A header of hundreds of wide columns must not take the room of the rows: it gets a third at most.
            var headerRoom = Math.Max(MinimumLineTokens, rowRoom / 3);
            if (owner._model.CountTokens(header) > headerRoom)
            {
                header = Fit(header, headerRoom, 0);
                _truncated++;
            }
            var fixedTokens = systemTokens + owner._model.CountTokens(header);
            var lineBudget = _contextSize - fixedTokens - OutputTokens(1);
            var group = new List<PendingRow>();
            var groupTokens = 0;
            foreach (var row in table.Rows)
            {
                token.ThrowIfCancellationRequested();
                if (row.Cells.All(c => c.IsEmpty))
                {
                    continue;
                }
                if (RowsAnnotated >= owner._options.MaxRows)
                {
                    await FlushAsync(index, header, group, token).ConfigureAwait(false);
                    return false;
                }
                RowsAnnotated++;
                var line = RowPrompt.RowLine(row, _maxCell);
                var tokens = owner._model.CountTokens(line) + RowPrompt.PositionTokens;
                if (tokens > lineBudget)
                {
                    line = Fit(line, lineBudget, RowPrompt.PositionTokens);
                    tokens = owner._model.CountTokens(line) + RowPrompt.PositionTokens;
                    _truncated++;
                }
                if (group.Count > 0 && (group.Count >= _rowsPerPrompt || fixedTokens + groupTokens + tokens + OutputTokens(group.Count + 1) > _contextSize))
                {
                    await FlushAsync(index, header, group, token).ConfigureAwait(false);
                    group = [];
                    groupTokens = 0;
                }
                group.Add(new PendingRow(row.Number, line, tokens));
                groupTokens += tokens;
            }
            await FlushAsync(index, header, group, token).ConfigureAwait(false);
            return true;
        }

        private async Task FlushAsync(int index, string header, List<PendingRow> group, CancellationToken token)
        {
            if (group.Count == 0)
            {
                return;
            }
            // Bounded: at most as many groups in flight as the model decodes together, so memory does not grow with the table.
            while (_inFlight.Count >= _parallel)
            {
                await HarvestOneAsync().ConfigureAwait(false);
            }
            _inFlight.Add(AskAsync(index, header, group, token));
        }

        private async Task HarvestOneAsync()
        {
            var done = await Task.WhenAny(_inFlight).ConfigureAwait(false);
            _inFlight.Remove(done);
            var result = await done.ConfigureAwait(false);
            if (!_results.TryGetValue(result.Block, out var rows))
            {
                _results[result.Block] = rows = [];
            }
            foreach (var (number, values) in result.Rows)
            {
                rows[number] = values;
            }
        }

        private async Task<GroupResult> AskAsync(int index, string header, IReadOnlyList<PendingRow> group, CancellationToken token)
        {
            var user = RowPrompt.User(header, group.Select(r => r.Line));
            Interlocked.Increment(ref _calls);
            StructuredResult answer;
            try
            {
                answer = await owner._generator.GenerateAsync(prompt.System, user, prompt.Schema(group.Count), OutputTokens(group.Count), token).ConfigureAwait(false);
            }
            catch (AnnotationException ex) when (ex.Reason == FailureReason.ModelInvalidOutput && group.Count > 1)
            {
                // Almost always an answer cut by the token budget (strings the tokenizer spends more on than estimated):
                // halves need less, and a single row that still fails fails the document.
                owner._logger.LogWarning("Row answer for {Rows} rows of {File} was invalid ({Message}); asking for the halves", group.Count, context.Document.FileName, ex.Message);
                var half = group.Count / 2;
                var first = await AskAsync(index, header, group.Take(half).ToList(), token).ConfigureAwait(false);
                var second = await AskAsync(index, header, group.Skip(half).ToList(), token).ConfigureAwait(false);
                return new GroupResult(index, [.. first.Rows, .. second.Rows]);
            }
            var answers = answer.Value?["rows"] as JsonObject
                ?? throw new AnnotationException(FailureReason.ModelInvalidOutput, "The model's row answer has no 'rows' object.");
            var rows = new List<(long, Dictionary<string, string?>)>(group.Count);
            for (var i = 0; i < group.Count; i++)
            {
                var item = answers[(i + 1).ToString(CultureInfo.InvariantCulture)] as JsonObject
                    ?? throw new AnnotationException(FailureReason.ModelInvalidOutput, $"The model's row answer has no entry for row {group[i].Number}.");
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var field in prompt.Fields)
                {
                    var text = item[field.Name]?.GetValue<string>().Trim();
                    values[field.Name] = string.IsNullOrEmpty(text) ? null : text;
                }
                rows.Add((group[i].Number, values));
            }
            return new GroupResult(index, rows);
        }

        private int OutputTokens(int count)
        {
            if (!_outputTokens.TryGetValue(count, out var tokens))
            {
                _outputTokens[count] = tokens = prompt.OutputTokens(count, owner._model.CountTokens);
            }
            return tokens;
        }

        /// <summary>The longest start of <paramref name="line"/> that fits <paramref name="budget"/> tokens (with <paramref name="extra"/> more) once marked as cut.</summary>
        private string Fit(string line, int budget, int extra)
        {
            int low = 0, high = line.Length;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (owner._model.CountTokens(RowPrompt.Truncate(line, middle)) + extra <= budget)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return RowPrompt.Truncate(line, low);
        }

        private void AddLimitNotice(IReadOnlyList<(TableBlock Table, int Index)> tables)
        {
            var counts = tables.Select(t => t.Table.Rows.Count).ToList();
            var total = counts.All(c => c.HasValue)
                ? string.Create(CultureInfo.InvariantCulture, $" of the {counts.Sum(c => c!.Value):N0} rows")
                : string.Empty;
            context.Annotations.Notices.Add(new Notice(LimitNotice, string.Create(CultureInfo.InvariantCulture,
                $"The model annotated the first {owner._options.MaxRows:N0}{total} rows of '{context.Document.FileName}' (Annotate:Rows:MaxRows); the other rows have no row annotations."))
            { Source = AnnotatorName });
        }
    }
}
