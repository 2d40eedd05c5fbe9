using System.Diagnostics;
using System.Security.Cryptography;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Memory;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Pipeline;

/// <summary>Annotates one document: checks the bytes, detects the format, reads, runs the annotators, writes the outputs.</summary>
public interface IDocumentPipeline
{
    /// <summary>Runs the pipeline; throws <see cref="AnnotationException"/> when the document cannot be annotated.</summary>
    Task<AnnotationResult> RunAsync(AnnotationRequest request, CancellationToken cancellationToken);
}

/// <summary>The default <see cref="IDocumentPipeline"/>.</summary>
public sealed class DocumentPipeline(
    FormatDetector detector,
    IEnumerable<IDocumentReader> readers,
    IEnumerable<IAnnotator> annotators,
    IEnumerable<IOutputWriter> writers,
    ProfileCatalog profiles,
    IOptions<ReaderOptions> options,
    IOptions<ContainerOptions> containers,
    TimeProvider time,
    ILogger<DocumentPipeline> logger,
    IEnumerable<IReleasableWhenIdle> releasables) : IDocumentPipeline
{
    private readonly IReadOnlyList<IAnnotator> _annotators = annotators.OrderBy(a => a.Order).ThenBy(a => a.Name, StringComparer.Ordinal).ToList();
    private readonly IReadOnlyList<IOutputWriter> _writers = writers.ToList();
    private readonly Dictionary<SourceFormat, IDocumentReader> _readers = readers.ToDictionary(r => r.Format);
    private readonly IReadOnlyList<IReleasableWhenIdle> _releasables = releasables.ToList();

    /// <inheritdoc />
    public async Task<AnnotationResult> RunAsync(AnnotationRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await AnnotateAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AnnotationException ex) when (WithoutServerPaths(ex.Message, request) is var shown && shown != ex.Message)
        {
            // Readers quote their libraries' messages, which may hold the server's paths; users see the file name only.
            throw new AnnotationException(ex.Reason, shown, ex.Retryable, ex);
        }
    }

    /// <summary>
    /// Before a large table is read, gives back what such a table does without (<see cref="IReleasableWhenIdle.ReleaseBeforeLargeTable"/>:
    /// the language detector's models of short texts), so that its rows have the memory: a child that holds them (from
    /// its warm-up, or from a document with short blocks) otherwise reads the 1,000,000-row workbook ~290 MiB higher.
    /// </summary>
    private void ReleaseBeforeLargeTable(DocumentSource source, SourceFormat format, long size)
    {
        if (!IsLargeTable(format, size))
        {
            return;
        }
        var before = GC.GetTotalMemory(forceFullCollection: false);
        var released = new List<string>();
        foreach (var releasable in _releasables)
        {
            if (releasable.ReleaseBeforeLargeTable())
            {
                released.Add(releasable.ReleaseName);
            }
        }
        if (released.Count == 0)
        {
            return;
        }
        logger.LogInformation("Gave back what a large table does not use ({Released}) before '{File}', a table of {Megabytes:F0} MiB: managed heap {Before:F0} → {After:F0} MiB",
            string.Join(", ", released), source.FileName, size / (1024.0 * 1024), before / (1024.0 * 1024), GC.GetTotalMemory(forceFullCollection: false) / (1024.0 * 1024));
    }

    /// <summary>A workbook or CSV file of at least <c>Annotate:Readers:LargeTableBytes</c> (0: none is).</summary>
    private bool IsLargeTable(SourceFormat format, long size) =>
        format is SourceFormat.Xlsx or SourceFormat.Csv && options.Value.LargeTableBytes > 0 && size >= options.Value.LargeTableBytes;

    private static string WithoutServerPaths(string message, AnnotationRequest request) =>
        ServerPaths.Replace(ServerPaths.Hide(message, request.Source), request.OutputDirectory, $"the outputs of '{request.Source.FileName}'");

    private async Task<AnnotationResult> AnnotateAsync(AnnotationRequest request, CancellationToken cancellationToken)
    {
        if (!DocumentIds.IsValid(request.DocumentId))
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"Document id '{request.DocumentId}' is not valid: use 1–64 letters, digits, '-', '_' or '.'.");
        }
        var profile = profiles.Get(request.Profile);
        var source = request.Source with { Ocr = profile.Ocr };
        var size = CheckSource(source);

        var started = time.GetTimestamp();
        var sha256 = request.SourceSha256 ?? await HashAsync(source, cancellationToken).ConfigureAwait(false);
        if (request.ExpectedSha256 is { Length: > 0 } expected && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new AnnotationException(FailureReason.ChecksumMismatch,
                $"'{source.FileName}' does not match the SHA-256 it was submitted with (expected {expected}, found {sha256}).");
        }
        var format = detector.Detect(source);
        if (!_readers.TryGetValue(format, out var reader))
        {
            throw new AnnotationException(FailureReason.UnsupportedFormat, $"'{source.FileName}' is {format}, which no reader is registered for.");
        }
        ReleaseBeforeLargeTable(source, format, size);
        var progress = request.Progress;
        var formatName = format.ToString().ToLowerInvariant();
        progress?.Report(new PipelineProgress { Stage = PipelineProgress.Stages.Read, Format = formatName });
        // Files inside a container are handed on only while the nesting allows another level.
        var tooDeep = request.Depth >= containers.Value.MaxDepth;
        var readFrom = request.PartsDirectory is { } parts && !tooDeep ? source with { PartsDirectory = parts } : source;
        Document document;
        try
        {
            document = await reader.ReadAsync(readFrom, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not AnnotationException and not OperationCanceledException)
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{source.FileName}' could not be read as {format}: {ServerPaths.Hide(ex.Message, source)}", inner: ex);
        }
        document = NameParts(document with { Sha256 = sha256, SizeBytes = size, FileName = source.FileName, ParentDocumentId = request.ParentDocumentId },
            request, tooDeep);
        var readTime = time.GetElapsedTime(started);
        progress?.Report(Progress(PipelineProgress.Stages.Read, readTime, document));

        progress?.Report(Progress(PipelineProgress.Stages.Annotate, null, document));
        started = time.GetTimestamp();
        using var usage = Models.Host.ModelUsage.Measure();
        var context = new AnnotationContext(request.DocumentId, document, profile)
        {
            Examples = profile.FewShotExamples > 0 ? [.. (request.Examples ?? []).Take(profile.FewShotExamples)] : [],
        };
        context.Annotations.Notices.AddRange(document.Notices);
        // Write into a staging folder and swap it in, so a reader of the outbox never sees half a result and annotating
        // a document again replaces its outputs whole.
        var staging = StartStaging(request);
        var written = new IReadOnlyList<WrittenOutput>?[_writers.Count];
        TimeSpan annotateTime, writeTime;
        try
        {
            var outputContext = new OutputContext(request.DocumentId, context.Document, context.Annotations, request.Source, staging);
            var writers = Enumerable.Range(0, _writers.Count)
                .Where(i => request.Outputs is not { Count: > 0 } wanted || wanted.Contains(_writers[i].Kind, StringComparer.OrdinalIgnoreCase))
                .Where(i => _writers[i].AppliesTo(document))
                .ToList();
            // The writers that need nothing the annotators add (the CSV of a long table) write while they run: the
            // annotators leave a core free between them, which the write stage would otherwise need on its own.
            var early = Environment.ProcessorCount > 1
                ? writers.Where(i => _writers[i].RunsAlongside && !_writers[i].NeedsAnnotations(profile)).ToList()
                : [];
            await AnnotateWhileWritingAsync(context, source, early, outputContext, written, cancellationToken).ConfigureAwait(false);
            annotateTime = time.GetElapsedTime(started);
            progress?.Report(Progress(PipelineProgress.Stages.Annotate, annotateTime, document));

            progress?.Report(Progress(PipelineProgress.Stages.Write, null, document));
            started = time.GetTimestamp();
            await WriteOutputsAsync(writers.Except(early).ToList(), outputContext, written, cancellationToken).ConfigureAwait(false);
            var final = Path.GetFullPath(request.OutputDirectory);
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }
            Directory.Move(staging, final);
            writeTime = time.GetElapsedTime(started);
        }
        catch
        {
            // Half a result must not stay in the outbox; the exception says why the document failed.
            DeleteStaging(staging, request.DocumentId);
            throw;
        }
        // Listed in the writers' order, whichever wrote first.
        var outputs = written.Where(w => w is not null).SelectMany(w => w!).ToList();
        progress?.Report(Progress(PipelineProgress.Stages.Write, writeTime, document));

        return new AnnotationResult
        {
            Document = document,
            Profile = profile,
            Annotations = context.Annotations,
            Outputs = outputs,
            ReadTime = readTime,
            AnnotateTime = annotateTime,
            WriteTime = writeTime,
            ModelTokensIn = usage.PromptTokens,
            ModelTokensOut = usage.CompletionTokens,
            Parts = document.Parts.Where(p => p.StagedPath is not null && p.DocumentId is not null).ToList(),
        };
    }

    /// <summary>
    /// Gives each file handed on the id of the document it becomes (derived from this document's id and its place, so the
    /// same document always names them alike); at the deepest level allowed, says that they are listed only.
    /// </summary>
    private Document NameParts(Document document, AnnotationRequest request, bool tooDeep)
    {
        if (document.Parts.Count == 0)
        {
            return document;
        }
        if (tooDeep)
        {
            var max = containers.Value.MaxDepth;
            return document with
            {
                Notices = [.. document.Notices, new Notice(PartsTooDeepNotice,
                    $"'{document.FileName}' is {request.Depth} level(s) inside other documents, the most allowed (Annotate:Containers:MaxDepth = {max}): "
                    + $"its {document.Parts.Count} file(s) are listed, not annotated: {string.Join(", ", document.Parts.Take(20).Select(p => $"'{p.Path}'"))}{(document.Parts.Count > 20 ? " and more" : "")}.")
                { Source = "pipeline" }],
            };
        }
        return document with
        {
            Parts = document.Parts.Select((p, i) => p.StagedPath is null ? p : p with { DocumentId = DocumentIds.ForPart(request.DocumentId, i) }).ToList(),
        };
    }

    /// <summary>Code of the notice for a container too deep inside others to hand on its files.</summary>
    public const string PartsTooDeepNotice = "parts-too-deep";

    /// <summary>A stage started (<paramref name="elapsed"/> null) or finished, with the pages and rows the document holds.</summary>
    private static PipelineProgress Progress(string stage, TimeSpan? elapsed, Document document) => new()
    {
        Stage = stage,
        Finished = elapsed is not null,
        Elapsed = elapsed ?? TimeSpan.Zero,
        Format = document.Format.ToString().ToLowerInvariant(),
        Pages = document.Properties.PageCount ?? (document.Sheets.Count > 0 ? document.Sheets.Count : null),
        Rows = document.Blocks.OfType<TableBlock>().Sum(t => t.Rows.Count ?? 0),
    };

    private long CheckSource(DocumentSource source)
    {
        var file = new FileInfo(source.Path);
        if (!file.Exists)
        {
            throw new AnnotationException(FailureReason.SourceMissing,
                $"'{source.FileName}' is no longer where it was stored: it was moved or deleted before it could be read.");
        }
        if (file.Length > options.Value.MaxDocumentBytes)
        {
            throw new AnnotationException(FailureReason.TooLarge,
                $"'{source.FileName}' is {file.Length:N0} bytes, over the limit of {options.Value.MaxDocumentBytes:N0} bytes (Annotate:Readers:MaxDocumentBytes).");
        }
        if (file.Length == 0)
        {
            throw new AnnotationException(FailureReason.Empty, $"'{source.FileName}' is empty (0 bytes).");
        }
        return file.Length;
    }

    private static async Task<string> HashAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = source.OpenRead();
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
        catch (FileNotFoundException ex)
        {
            throw new AnnotationException(FailureReason.SourceMissing, $"'{source.FileName}' disappeared while it was being read.", inner: ex);
        }
    }

    private async Task RunAnnotatorsAsync(AnnotationContext context, DocumentSource source, CancellationToken cancellationToken)
    {
        var compactAfterScans = IsLargeTable(context.Document.Format, context.Document.SizeBytes);
        for (var i = 0; i < _annotators.Count; i++)
        {
            // Annotators next to each other that may run alongside (the local ones, each scanning every row of a long
            // table) run together on both cores; the others run one after another, in their order.
            var group = SideBySide(_annotators, i, a => a.RunsAlongside);
            await RunAnnotatorsAlongsideAsync(context, source, i, group, cancellationToken).ConfigureAwait(false);
            // After the last of the first run of annotators that scan every row (alongside, or one after another on one core).
            if (compactAfterScans && _annotators[i].RunsAlongside && (i + group == _annotators.Count || !_annotators[i + group].RunsAlongside))
            {
                compactAfterScans = false;
                CompactAfterScans(context.Document);
            }
            i += group - 1;
        }
    }

    /// <summary>
    /// After the annotators that scan every row of a large table (statistics, patterns, column profiles: a gigabyte of
    /// rows and cells handed out and dropped for a 1,000,000-row workbook), a compacting collection that also gives the
    /// freed space back: what follows (the sentence encoder's weights, faulted in again for the column types and the
    /// document type; annotations.json) would otherwise come on top of all that the collector has kept committed
    /// (~90 MiB off the workbook's peak through the service, docs/BENCHMARKS.md). About 0.1 s, once per large table.
    /// </summary>
    private void CompactAfterScans(Document document)
    {
        var started = time.GetTimestamp();
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        ManagedHeap.Compact();
        logger.LogInformation("Compacted the heap after the scans of '{File}', a large table: {Before:F0} → {After:F0} MiB committed in {Milliseconds:F0} ms",
            document.FileName, before / (1024.0 * 1024), GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024), time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Runs the <paramref name="group"/> annotators from <paramref name="start"/> on: one alone, or several side by side.</summary>
    private async Task RunAnnotatorsAlongsideAsync(AnnotationContext context, DocumentSource source, int start, int group, CancellationToken cancellationToken)
    {
        if (group == 1)
        {
            Record(context, await RunAnnotatorAsync(_annotators[start], context, source, cancellationToken).ConfigureAwait(false));
            return;
        }
        // One that fails the document (an AnnotationException) stops the others rather than letting them scan on.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = _annotators.Skip(start).Take(group).Select(annotator => StartTogether(async () =>
        {
            try
            {
                return await RunAnnotatorAsync(annotator, context, source, stop.Token).ConfigureAwait(false);
            }
            catch (AnnotationException)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, context.Document, stop.Token)).ToList();
        // A failure outranks the cancellations it caused: it is what the await throws.
        await Task.WhenAll(runs).ConfigureAwait(false);
        // Listed in the annotators' order, whichever finished first.
        foreach (var run in runs)
        {
            Record(context, await run.ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Starts a step that runs beside others. For a document with a long table each gets a thread of its own at once, so
    /// the steps that scan the table read its rows together (a spilled table's scans that run at once share one decode
    /// of each batch of rows) instead of one after another as the thread pool's few threads come free; a short
    /// document's steps take pool threads, which cost nothing to start.
    /// </summary>
    private static Task<T> StartTogether<T>(Func<Task<T>> step, Document document, CancellationToken cancellationToken) =>
        HasLongTable(document)
            ? Task.Factory.StartNew(step, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()
            : Task.Run(step, cancellationToken);

    private static bool HasLongTable(Document document) =>
        document.Blocks.Any(b => b is TableBlock { Rows.Count: >= ScanAhead.MinimumRows });

    /// <summary>
    /// How many steps from <paramref name="start"/> on run together: the run of neighbours that may run alongside, when
    /// there is a second core to run them on; otherwise 1.
    /// </summary>
    private static int SideBySide<T>(IReadOnlyList<T> steps, int start, Func<T, bool> runsAlongside)
    {
        var group = 1;
        while (Environment.ProcessorCount > 1 && runsAlongside(steps[start]) && start + group < steps.Count && runsAlongside(steps[start + group]))
        {
            group++;
        }
        return group;
    }

    private static void Record(AnnotationContext context, (AnnotatorRun Run, Notice? Failure) outcome)
    {
        context.Annotations.Runs.Add(outcome.Run);
        if (outcome.Failure is { } notice)
        {
            context.Annotations.Notices.Add(notice);
        }
    }

    /// <summary>Runs one annotator; returns its run and, when it failed without failing the document, the notice saying so.</summary>
    private async Task<(AnnotatorRun Run, Notice? Failure)> RunAnnotatorAsync(IAnnotator annotator, AnnotationContext context, DocumentSource source, CancellationToken cancellationToken)
    {
        if (!context.Profile.Runs(annotator.Name))
        {
            return (new AnnotatorRun(annotator.Name, "skipped", $"not in profile '{context.Profile.Name}'", 0), null);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcome = await annotator.AnnotateAsync(context, cancellationToken).ConfigureAwait(false);
            return (new AnnotatorRun(annotator.Name, outcome.Ran ? "ran" : "skipped", outcome.Reason, Stopwatch.GetElapsedTime(started).TotalMilliseconds), null);
        }
        catch (Exception ex) when (ex is not AnnotationException and not OperationCanceledException)
        {
            // One faulty annotator must not lose the document: record it and keep the others' results.
            logger.LogError(ex, "Annotator {Annotator} failed on {DocumentId}", annotator.Name, context.DocumentId);
            // annotations.json is shown to users: it names the file, not the server's folders.
            var message = ServerPaths.Hide(ex.Message, source);
            return (new AnnotatorRun(annotator.Name, "failed", message, Stopwatch.GetElapsedTime(started).TotalMilliseconds),
                new Notice("annotator-failed", $"Annotator '{annotator.Name}' failed: {message}") { Source = annotator.Name });
        }
    }

    /// <summary>A fresh staging folder beside the output folder, where the writers write.</summary>
    private static string StartStaging(AnnotationRequest request)
    {
        var staging = Path.GetFullPath(request.OutputDirectory) + ".partial";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>
    /// Runs the annotators, and meanwhile the writers at <paramref name="early"/> (indexes into the writers), each file list
    /// put at its writer's index in <paramref name="written"/>. A failure of either side stops the other: the writes
    /// are cancelled when an annotator fails the document, the annotators when a write fails, and the first failure
    /// is what is thrown.
    /// </summary>
    private async Task AnnotateWhileWritingAsync(AnnotationContext context, DocumentSource source, IReadOnlyList<int> early,
        OutputContext outputContext, IReadOnlyList<WrittenOutput>?[] written, CancellationToken cancellationToken)
    {
        if (early.Count == 0)
        {
            await RunAnnotatorsAsync(context, source, cancellationToken).ConfigureAwait(false);
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writes = Task.WhenAll(early.Select(i => StartTogether(async () =>
        {
            try
            {
                written[i] = await _writers[i].WriteAsync(outputContext, stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
            return true;
        }, context.Document, stop.Token)));
        var annotating = Task.Run(async () =>
        {
            try
            {
                await RunAnnotatorsAsync(context, source, stop.Token).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, stop.Token);
        try
        {
            await Task.WhenAll(annotating, writes).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (Failure(writes) ?? Failure(annotating)) is { } failure)
        {
            // One side's cancellation was caused by the other's failure, which is the document's reason.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>The exception a task failed with, other than a cancellation; null when it did not fail so.</summary>
    private static Exception? Failure(Task task) =>
        task.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException);

    /// <summary>Runs the writers at <paramref name="indexes"/>, each file list put at its writer's index in <paramref name="written"/>.</summary>
    private async Task WriteOutputsAsync(IReadOnlyList<int> indexes, OutputContext outputContext, IReadOnlyList<WrittenOutput>?[] written, CancellationToken cancellationToken)
    {
        // With row fields to place, a writer that describes where the table writers put them runs after them.
        var rowFields = outputContext.Annotations.Rows is not null;
        var applicable = indexes.Select(i => _writers[i]).ToList();
        bool Alongside(IOutputWriter writer) => writer.RunsAlongside && !(writer.DescribesOtherOutputs && rowFields);
        for (var i = 0; i < applicable.Count; i++)
        {
            // Writers next to each other that may run alongside (the table writers, each scanning every row, and annotations.json) run
            // together on both cores; the others run one after another, in their order.
            var group = SideBySide(applicable, i, Alongside);
            if (group == 1)
            {
                written[indexes[i]] = await applicable[i].WriteAsync(outputContext, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var together = applicable.Skip(i).Take(group).ToList();
            var noticesBefore = NoticeCount(outputContext.Annotations);
            var files = await Task.WhenAll(together
                .Select(w => Task.Run(() => w.WriteAsync(outputContext, cancellationToken), cancellationToken))).ConfigureAwait(false);
            if (NoticeCount(outputContext.Annotations) != noticesBefore)
            {
                // A writer beside one that lists the notices added one, maybe after that one had read them.
                for (var w = 0; w < together.Count; w++)
                {
                    if (together[w].DescribesOtherOutputs)
                    {
                        files[w] = await together[w].WriteAsync(outputContext, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            for (var w = 0; w < together.Count; w++)
            {
                written[indexes[i + w]] = files[w];
            }
            i += group - 1;
        }
    }

    private static int NoticeCount(AnnotationSet annotations)
    {
        lock (annotations.Notices)
        {
            return annotations.Notices.Count;
        }
    }

    private void DeleteStaging(string staging, string documentId)
    {
        try
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Logged, not thrown: the failure that got us here is the one to report; the next run deletes the folder first.
            logger.LogWarning(ex, "Could not delete the staging folder of {DocumentId}", documentId);
        }
    }
}
