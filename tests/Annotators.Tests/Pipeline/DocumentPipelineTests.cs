using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Annotate.Annotators.Tests.Pipeline;

public class DocumentPipelineTests
{
    private static IDocumentPipeline Pipeline(Dictionary<string, string?> settings, Action<IServiceCollection>? replace = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddAnnotators();
        replace?.Invoke(services);
        return services.BuildServiceProvider().GetRequiredService<IDocumentPipeline>();
    }

    [Fact]
    public async Task Only_the_annotators_a_profile_names_run_and_the_others_are_listed_as_skipped()
    {
        using var dir = new TempDir();
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, "The meeting on 15 March 2024 approved a budget of EUR 1,250.00 for the new office.");
        var pipeline = Pipeline(new() { ["Annotate:Profiles:lean:Annotators:0"] = "statistics" });

        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "lean-1",
            Source = new DocumentSource(path, "note.txt"),
            OutputDirectory = dir.File("out"),
            Profile = "lean",
        }, CancellationToken.None);

        var runs = result.Annotations.Runs.ToDictionary(r => r.Name);
        Assert.Equal("ran", runs["statistics"].Status);
        foreach (var name in new[] { "language", "patterns", "columns", "metadata", "extraction", "reformat", "rows", "qa" })
        {
            Assert.Equal("skipped", runs[name].Status);
            Assert.Equal("not in profile 'lean'", runs[name].Reason);
        }
        Assert.NotNull(result.Annotations.Statistics);
        Assert.Empty(result.Annotations.Entities);
        Assert.Null(result.Annotations.Language);
    }

    [Fact]
    public async Task A_document_whose_bytes_vanished_fails_with_source_missing_naming_the_file_not_the_server_folder()
    {
        using var dir = new TempDir();
        var blobs = Directory.CreateDirectory(Path.Combine(dir.Path, "blob store", "0123")).FullName;

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => Pipeline(new()).RunAsync(new AnnotationRequest
        {
            DocumentId = "gone-1",
            Source = new DocumentSource(Path.Combine(blobs, "invoice.pdf"), "invoice.pdf"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None));

        Assert.Equal(FailureReason.SourceMissing, ex.Reason);
        Assert.Contains("'invoice.pdf'", ex.Message);
        Assert.DoesNotContain(dir.Path, ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reader_error_whose_message_holds_the_path_names_the_file_instead(bool readerWrapsIt)
    {
        using var dir = new TempDir();
        var blobs = Directory.CreateDirectory(Path.Combine(dir.Path, "blob store", "0123")).FullName;
        var path = Path.Combine(blobs, "memo.txt");
        await File.WriteAllTextAsync(path, "A memo with a few words in it.");
        var pipeline = Pipeline(new(), services =>
        {
            services.RemoveAll<IDocumentReader>();
            services.AddSingleton<IDocumentReader>(new PathLeakingReader(readerWrapsIt));
        });

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "leak-1",
            Source = new DocumentSource(path, "memo.txt"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("memo.txt", ex.Message);
        Assert.Contains("denied", ex.Message);
        Assert.DoesNotContain(dir.Path, ex.Message);
        Assert.DoesNotContain("blob", ex.Message);
    }

    [Fact]
    public async Task A_writer_failing_half_way_leaves_no_partial_folder_keeps_its_exception_and_the_earlier_outputs()
    {
        using var dir = new TempDir();
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, "Pay invoice 42 by 30 April 2024.");
        var writer = new HalfWayWriter();
        var pipeline = Pipeline(new(), services => services.AddSingleton<IOutputWriter>(writer));
        var request = new AnnotationRequest { DocumentId = "write-1", Source = new DocumentSource(path, "note.txt"), OutputDirectory = dir.File("out") };
        await pipeline.RunAsync(request, CancellationToken.None);
        var earlier = Directory.GetFiles(dir.File("out")).Select(Path.GetFileName).Order().ToList();

        writer.Failure = new IOException("No space left on device.");
        var ex = await Assert.ThrowsAsync<IOException>(() => pipeline.RunAsync(request, CancellationToken.None));

        Assert.Same(writer.Failure, ex);
        Assert.False(Directory.Exists(dir.File("out.partial")), "the staging folder was left behind");
        Assert.Equal(earlier, Directory.GetFiles(dir.File("out")).Select(Path.GetFileName).Order().ToList());
    }

    [Fact]
    public async Task A_writer_failing_with_a_reason_fails_the_document_with_that_reason_and_leaves_no_partial_folder()
    {
        using var dir = new TempDir();
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, "Pay invoice 42 by 30 April 2024.");
        var writer = new HalfWayWriter { Failure = new AnnotationException(FailureReason.TooLarge, "'note.txt' makes an output over the limit.") };
        var pipeline = Pipeline(new(), services => services.AddSingleton<IOutputWriter>(writer));

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => pipeline.RunAsync(
            new AnnotationRequest { DocumentId = "write-2", Source = new DocumentSource(path, "note.txt"), OutputDirectory = dir.File("out") },
            CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.False(Directory.Exists(dir.File("out.partial")), "the staging folder was left behind");
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public async Task Cancelled_while_writing_leaves_no_partial_folder()
    {
        using var dir = new TempDir();
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, "Pay invoice 42 by 30 April 2024.");
        using var cancel = new CancellationTokenSource();
        var writer = new HalfWayWriter { CancelHalfWay = cancel };
        var pipeline = Pipeline(new(), services => services.AddSingleton<IOutputWriter>(writer));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(
            new AnnotationRequest { DocumentId = "write-3", Source = new DocumentSource(path, "note.txt"), OutputDirectory = dir.File("out") },
            cancel.Token));

        Assert.False(Directory.Exists(dir.File("out.partial")), "the staging folder was left behind");
    }

    [Fact]
    public async Task Writers_that_run_alongside_write_at_the_same_time_and_a_later_writer_sees_their_notices()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "alongside-1", "Pay invoice 42 by 30 April 2024.");
        // Each writer waits for the other to have started before it writes: run one after the other, the first would
        // wait for ever (the guard fails the test instead), so passing shows they ran at the same time.
        var first = new AlongsideWriter("first");
        var second = new AlongsideWriter("second");
        (first.Other, second.Other) = (second, first);
        var after = new NoticeReadingWriter();
        var pipeline = Pipeline(new(), services => services
            .AddSingleton<IOutputWriter>(first)
            .AddSingleton<IOutputWriter>(second)
            .AddSingleton<IOutputWriter>(after));

        var result = await pipeline.RunAsync(request, CancellationToken.None);

        var names = result.Outputs.Select(o => o.Name).ToList();
        // Listed in the writers' order, whichever finished first.
        Assert.True(names.IndexOf("first.txt") < names.IndexOf("second.txt") && names.IndexOf("second.txt") < names.IndexOf("after.txt"), string.Join(", ", names));
        Assert.Equal(["first", "second"], after.Seen.Order());
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "after.txt")));
    }

    [Fact]
    public async Task Annotations_json_lists_a_notice_a_writer_beside_it_added_after_it_had_written()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "alongside-4", "Pay invoice 42 by 30 April 2024.");
        // The notice is added only once annotations.json has been written whole (the guard fails the test if it
        // never is): without the second writing, the file would not list it.
        var json = new SignallingWriter(new AnnotationsJsonWriter(TimeProvider.System));
        var late = new LateNoticeWriter(json);
        var pipeline = Pipeline(new(), services => services
            .RemoveAll<IOutputWriter>()
            .AddSingleton<IOutputWriter>(json)
            .AddSingleton<IOutputWriter>(late));

        var result = await pipeline.RunAsync(request, CancellationToken.None);

        Assert.Contains(result.Annotations.Notices, n => n.Code == "late");
        var file = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.File("out"), "annotations.json")))!;
        Assert.Contains(file["notices"]!.AsArray(), n => (string?)n!["code"] == "late");
        Assert.Equal(2, json.Writes);
        // Listed once, as written the second time.
        var listed = Assert.Single(result.Outputs);
        Assert.Equal(("annotations", new FileInfo(Path.Combine(dir.File("out"), "annotations.json")).Length), (listed.Kind, listed.SizeBytes));
    }

    [Fact]
    public async Task With_row_fields_annotations_json_says_where_the_table_writers_put_them()
    {
        using var dir = new TempDir();
        var path = dir.File("ledger.csv");
        await File.WriteAllTextAsync(path, "Item,Amount\nPaper,12\nInk,30\n");
        // A profile that asks for the row field: without it, the table writers write while the annotators run.
        var pipeline = Pipeline(RowFieldsProfile, services => services.AddSingleton<IAnnotator>(new RowFieldsAnnotator()));

        await pipeline.RunAsync(new AnnotationRequest { DocumentId = "rows-1", Source = new DocumentSource(path, "ledger.csv"), OutputDirectory = dir.File("out"), Profile = "ledger" }, CancellationToken.None);

        // Recorded by the CSV and workbook writers as they wrote, which annotations.json, beside them otherwise, waits for.
        var file = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.File("out"), "annotations.json")))!;
        var table = file["rows"]!["tables"]!.AsArray().Single()!;
        Assert.Equal("data.csv", (string?)table["csv"]);
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "data.csv")));
        Assert.NotNull(table["workbookColumn"]);
        Assert.All(table["rows"]!.AsArray(), r => Assert.NotNull(r!["csvRecord"]));
    }

    [Fact]
    public async Task The_CSV_of_a_table_is_written_while_the_annotators_run_when_the_profile_has_no_row_fields()
    {
        using var dir = new TempDir();
        Assert.True(Environment.ProcessorCount > 1, "early writers run beside the annotators only with a second core, as on the machines the tests run on");
        var path = dir.File("ledger.csv");
        await File.WriteAllTextAsync(path, "Item,Amount\nPaper,12\nInk,30\n");
        // The annotator waits until the CSV is written (the guard fails the test if it never is): written after the
        // annotators, as before, it would wait for ever.
        var csv = new SignallingWriter(new CsvTablesWriter());
        var waiting = new WaitingAnnotator(csv.Written);
        var pipeline = Pipeline(new(), services => services
            .RemoveAll<IOutputWriter>()
            .AddSingleton<IOutputWriter>(csv)
            .AddSingleton<IOutputWriter>(new AnnotationsJsonWriter(TimeProvider.System))
            .AddSingleton<IAnnotator>(waiting));

        var result = await pipeline.RunAsync(new AnnotationRequest { DocumentId = "early-1", Source = new DocumentSource(path, "ledger.csv"), OutputDirectory = dir.File("out") }, CancellationToken.None);

        Assert.Equal("ran", Assert.Single(result.Annotations.Runs, r => r.Name == waiting.Name).Status);
        Assert.Equal(["data.csv", "annotations.json"], result.Outputs.Select(o => o.Name));
        Assert.Equal("Item,Amount\r\nPaper,12\r\nInk,30\r\n", await File.ReadAllTextAsync(Path.Combine(dir.File("out"), "data.csv")));
        Assert.Equal(1, csv.Writes);
        Assert.False(Directory.Exists(dir.File("out.partial")));
    }

    [Fact]
    public void The_CSV_writer_needs_the_annotations_only_when_the_profile_has_row_fields()
    {
        var writer = new CsvTablesWriter();
        Assert.False(writer.NeedsAnnotations(new AnnotationProfile()));
        Assert.True(writer.NeedsAnnotations(new AnnotationProfile { RowFields = [new RowField { Name = "Category", Labels = ["office"] }] }));
        Assert.False(new OriginalFileWriter().NeedsAnnotations(new AnnotationProfile()));
        Assert.True(((IOutputWriter)new AnnotationsJsonWriter(TimeProvider.System)).NeedsAnnotations(new AnnotationProfile()));
    }

    [Fact]
    public async Task A_writer_failing_while_the_annotators_run_fails_the_document_with_its_exception_and_stops_them()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "early-2", "Pay invoice 42 by 30 April 2024.");
        var waiting = new AlongsideAnnotator("waits-for-ever", 101);
        var failing = new EarlyWriter(waiting.Started) { Failure = new IOException("No space left on device.") };
        var pipeline = Pipeline(new(), services => services.AddSingleton<IAnnotator>(waiting).AddSingleton<IOutputWriter>(failing));

        var ex = await Assert.ThrowsAsync<IOException>(() => pipeline.RunAsync(request, CancellationToken.None));

        Assert.Same(failing.Failure, ex);
        // The annotator was waiting for a partner that never comes; it was stopped, not left to its guard.
        Assert.True(waiting.Stopped);
        Assert.False(Directory.Exists(dir.File("out.partial")), "the staging folder was left behind");
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public async Task An_annotator_failing_the_document_stops_a_writer_that_writes_while_the_annotators_run()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "early-3", "Pay invoice 42 by 30 April 2024.");
        var writer = new EarlyWriter(null);
        var failing = new FailingAnnotator(writer.Started);
        var pipeline = Pipeline(new(), services => services.AddSingleton<IAnnotator>(failing).AddSingleton<IOutputWriter>(writer));

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => pipeline.RunAsync(request, CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.True(writer.Stopped);
        Assert.False(Directory.Exists(dir.File("out.partial")), "the staging folder was left behind");
        Assert.False(Directory.Exists(dir.File("out")));
    }

    /// <summary>Settings of a profile <c>ledger</c> whose model fills a row field <c>Category</c>.</summary>
    private static Dictionary<string, string?> RowFieldsProfile => new()
    {
        ["Annotate:Profiles:ledger:RowFields:0:Name"] = "Category",
        ["Annotate:Profiles:ledger:RowFields:0:Labels:0"] = "office",
    };

    [Fact]
    public void The_built_in_writers_that_run_alongside_are_registered_next_to_each_other()
    {
        // Only writers next to each other form a group: a gap would split the workbook, CSV, original and annotations.json.
        var writers = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddAnnotators()
            .BuildServiceProvider()
            .GetServices<IOutputWriter>()
            .ToList();

        var alongside = writers.Select((w, i) => (w, i)).Where(p => p.w.RunsAlongside).ToList();

        Assert.Equal(["xlsx", "csv", "original", "annotations"], alongside.Select(p => p.w.Kind));
        Assert.Equal(alongside.Count - 1, alongside[^1].i - alongside[0].i);
    }

    [Fact]
    public async Task Annotators_that_run_alongside_run_at_the_same_time_and_are_listed_in_their_order()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "alongside-2", "Pay invoice 42 by 30 April 2024 to billing@example.com.");
        // Between statistics (100) and language (110), which run alongside too. Each waits for the other to have
        // started: run one after the other, the first would wait for ever (the guard fails the test instead).
        var first = new AlongsideAnnotator("alongside-first", 101);
        var second = new AlongsideAnnotator("alongside-second", 102);
        (first.Other, second.Other) = (second, first);
        var pipeline = Pipeline(new(), services => services.AddSingleton<IAnnotator>(first).AddSingleton<IAnnotator>(second));

        var result = await pipeline.RunAsync(request, CancellationToken.None);

        var names = result.Annotations.Runs.Select(r => r.Name).ToList();
        Assert.Equal(["statistics", "alongside-first", "alongside-second", "language", "patterns", "columns"], names.Take(6));
        Assert.All(result.Annotations.Runs.Take(3), r => Assert.Equal("ran", r.Status));
        Assert.Equal(["alongside-first", "alongside-second"], result.Annotations.Notices.Where(n => n.Code == "alongside").Select(n => n.Message).Order());
        // The built-in ones did their work beside them.
        Assert.NotNull(result.Annotations.Statistics);
        Assert.Contains(result.Annotations.Entities, e => e.Text == "billing@example.com");
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(20_000, true)]
    public async Task The_steps_beside_each_other_of_a_document_with_a_long_table_start_on_threads_of_their_own(int rows, bool ownThreads)
    {
        // A table of ScanAhead.MinimumRows rows or more is long: its scans start together rather than one after another
        // as pool threads come free, so that they share one decode of its rows.
        using var dir = new TempDir();
        var path = dir.File("ledger.csv");
        await File.WriteAllLinesAsync(path, ["Invoice,Amount", .. Enumerable.Range(1, rows).Select(i => $"INV-{i},{i}.50")]);
        var first = new ThreadRecordingAnnotator("threads-first", 101);
        var second = new ThreadRecordingAnnotator("threads-second", 102);
        var writer = new ThreadRecordingWriter();
        var pipeline = Pipeline(new(), services => services.AddSingleton<IAnnotator>(first).AddSingleton<IAnnotator>(second).AddSingleton<IOutputWriter>(writer));

        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "threads-" + rows,
            Source = new DocumentSource(path, "ledger.csv"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None);

        Assert.Equal(rows, result.Document.Blocks.OfType<TableBlock>().Single().Rows.Count);
        Assert.Equal(!ownThreads, first.OnPoolThread);
        Assert.Equal(!ownThreads, second.OnPoolThread);
        Assert.Equal(!ownThreads, writer.OnPoolThread);
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "threads.txt")));
    }

    [Fact]
    public async Task An_annotator_that_fails_the_document_stops_the_ones_running_alongside_it()
    {
        using var dir = new TempDir();
        var request = await SideBySideNoteAsync(dir, "alongside-3", "Pay invoice 42 by 30 April 2024.");
        var waiting = new AlongsideAnnotator("alongside-waiting", 101);
        var failing = new FailingAnnotator(waiting);
        var pipeline = Pipeline(new(), services => services.AddSingleton<IAnnotator>(waiting).AddSingleton<IAnnotator>(failing));

        var ex = await Assert.ThrowsAsync<AnnotationException>(() => pipeline.RunAsync(request, CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("the failing annotator", ex.Message);
        // The other one was waiting for a partner that never comes; it was stopped, not left to its guard.
        Assert.True(waiting.Stopped);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    /// <summary>
    /// A one-line note to annotate into <c>out</c>, for the tests of writers and annotators that run side by side, which
    /// needs the second core the machines the tests run on have.
    /// </summary>
    private static async Task<AnnotationRequest> SideBySideNoteAsync(TempDir dir, string documentId, string text)
    {
        Assert.True(Environment.ProcessorCount > 1, "writers and annotators run side by side only with a second core, as on the machines the tests run on");
        var path = dir.File("note.txt");
        await File.WriteAllTextAsync(path, text);
        return new AnnotationRequest { DocumentId = documentId, Source = new DocumentSource(path, "note.txt"), OutputDirectory = dir.File("out") };
    }

    /// <summary>Adds a notice once the other annotator of its pair has started too; without one it waits until stopped.</summary>
    private sealed class AlongsideAnnotator(string name, int order) : IAnnotator
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AlongsideAnnotator? Other { get; set; }
        public bool Stopped { get; private set; }
        public Task Started => _started.Task;
        public string Name => name;
        public int Order => order;
        public bool RunsAlongside => true;

        public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            _started.SetResult();
            try
            {
                await (Other?._started.Task ?? new TaskCompletionSource().Task).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stopped = true;
                throw;
            }
            lock (context.Annotations.Notices)
            {
                context.Annotations.Notices.Add(new Notice("alongside", name));
            }
            return AnnotatorOutcome.Done;
        }
    }

    /// <summary>Records whether it ran on a thread of the pool.</summary>
    private sealed class ThreadRecordingAnnotator(string name, int order) : IAnnotator
    {
        public bool? OnPoolThread { get; private set; }
        public string Name => name;
        public int Order => order;
        public bool RunsAlongside => true;

        public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            OnPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            return Task.FromResult(AnnotatorOutcome.Done);
        }
    }

    /// <summary>A writer that needs no annotations (it writes while they run) and records whether it ran on a thread of the pool.</summary>
    private sealed class ThreadRecordingWriter : IOutputWriter
    {
        public bool? OnPoolThread { get; private set; }
        public string Kind => "threads";
        public bool RunsAlongside => true;
        public bool AppliesTo(Document document) => true;
        public bool NeedsAnnotations(AnnotationProfile profile) => false;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            OnPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            await File.WriteAllTextAsync(Path.Combine(context.OutputDirectory, "threads.txt"), "written", cancellationToken);
            return [WrittenOutput.For(context.OutputDirectory, "threads.txt", Kind, "text/plain")];
        }
    }

    /// <summary>Fails the document once the annotator (or the writer) beside it has started.</summary>
    private sealed class FailingAnnotator(Task besideStarted) : IAnnotator
    {
        public FailingAnnotator(AlongsideAnnotator beside)
            : this(beside.Started)
        {
        }

        public string Name => "alongside-failing";
        public int Order => 102;
        public bool RunsAlongside => true;

        public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            await besideStarted.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            throw new AnnotationException(FailureReason.Corrupt, "the failing annotator gave up");
        }
    }

    /// <summary>Waits, before it records that it ran, until <paramref name="written"/> completes.</summary>
    private sealed class WaitingAnnotator(Task written) : IAnnotator
    {
        public string Name => "waits-for-the-csv";
        public int Order => 900;

        public async Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            await written.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            return AnnotatorOutcome.Done;
        }
    }

    /// <summary>
    /// A writer that needs no annotations, so it writes while the annotators run: once <c>after</c> has started (at
    /// once when null) it fails with <see cref="Failure"/>, or else waits until stopped.
    /// </summary>
    private sealed class EarlyWriter(Task? after) : IOutputWriter
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; init; }
        public bool Stopped { get; private set; }
        public Task Started => _started.Task;
        public string Kind => "early";
        public bool RunsAlongside => true;
        public bool AppliesTo(Document document) => true;
        public bool NeedsAnnotations(AnnotationProfile profile) => false;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            _started.SetResult();
            // Stopped wherever the cancellation finds it: a failure beside it may come while the file is still being written.
            try
            {
                await File.WriteAllTextAsync(Path.Combine(context.OutputDirectory, "early.txt"), "written early", cancellationToken);
                if (after is not null)
                {
                    await after.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
                }
                if (Failure is not null)
                {
                    throw Failure;
                }
                await new TaskCompletionSource().Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stopped = true;
                throw;
            }
            return [WrittenOutput.For(context.OutputDirectory, "early.txt", Kind, "text/plain")];
        }
    }

    /// <summary>Writes a file and adds a notice, once the other writer of its pair has started too.</summary>
    private sealed class AlongsideWriter(string name) : IOutputWriter
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AlongsideWriter? Other { get; set; }
        public string Kind => name;
        public bool RunsAlongside => true;
        public bool AppliesTo(Document document) => true;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            _started.SetResult();
            await Other!._started.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(context.OutputDirectory, name + ".txt"), name, cancellationToken);
            lock (context.Annotations.Notices)
            {
                context.Annotations.Notices.Add(new Notice("alongside", name));
            }
            return [WrittenOutput.For(context.OutputDirectory, name + ".txt", Kind, "text/plain")];
        }
    }

    /// <summary>Gives every row of the document's first table a row field, as the model's row labels do.</summary>
    private sealed class RowFieldsAnnotator : IAnnotator
    {
        public string Name => "test-row-fields";
        public int Order => 900;

        public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
        {
            var block = context.Document.Blocks.ToList().FindIndex(b => b is TableBlock);
            var rows = new TableRowAnnotations { Block = block };
            foreach (var row in ((TableBlock)context.Document.Blocks[block]).Rows.Scan())
            {
                rows.Rows[row.Number] = new Dictionary<string, string?> { ["Category"] = "office" };
            }
            context.Annotations.Rows = new RowAnnotations
            {
                Fields = ["Category"],
                Provenance = new ModelProvenance("test", new string('0', 64), "default", "test", "1"),
                Annotator = Name,
                Tables = { rows },
            };
            return Task.FromResult(AnnotatorOutcome.Done);
        }
    }

    /// <summary>Runs a writer and says each time it has finished.</summary>
    private sealed class SignallingWriter(IOutputWriter inner) : IOutputWriter
    {
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public Task Written => _written.Task;
        public int Writes => _writes;
        public string Kind => inner.Kind;
        public bool RunsAlongside => inner.RunsAlongside;
        public bool DescribesOtherOutputs => inner.DescribesOtherOutputs;
        public bool AppliesTo(Document document) => inner.AppliesTo(document);
        public bool NeedsAnnotations(AnnotationProfile profile) => inner.NeedsAnnotations(profile);

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            var written = await inner.WriteAsync(context, cancellationToken);
            Interlocked.Increment(ref _writes);
            _written.TrySetResult();
            return written;
        }
    }

    /// <summary>Beside another writer: adds a notice once that one has written its files.</summary>
    private sealed class LateNoticeWriter(SignallingWriter other) : IOutputWriter
    {
        public string Kind => "late";
        public bool RunsAlongside => true;
        public bool AppliesTo(Document document) => true;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            await other.Written.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            lock (context.Annotations.Notices)
            {
                context.Annotations.Notices.Add(new Notice("late", "added after annotations.json was written"));
            }
            return [];
        }
    }

    /// <summary>A writer after the group: records the notices the group added.</summary>
    private sealed class NoticeReadingWriter : IOutputWriter
    {
        public List<string> Seen { get; } = [];
        public string Kind => "after";
        public bool AppliesTo(Document document) => true;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            Seen.AddRange(context.Annotations.Notices.Where(n => n.Code == "alongside").Select(n => n.Message));
            await File.WriteAllTextAsync(Path.Combine(context.OutputDirectory, "after.txt"), "after", cancellationToken);
            return [WrittenOutput.For(context.OutputDirectory, "after.txt", Kind, "text/plain")];
        }
    }

    /// <summary>Fails the way a reader fails on a file it cannot open: the library's message holds the path.</summary>
    private sealed class PathLeakingReader(bool wrapsIt) : IDocumentReader
    {
        public SourceFormat Format => SourceFormat.Text;

        public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
        {
            var io = new UnauthorizedAccessException($"Access to the path '{source.Path}' is denied.");
            throw wrapsIt
                ? new AnnotationException(FailureReason.Corrupt, $"'{source.FileName}' could not be opened ({new Uri(source.Path).AbsoluteUri}): {io.Message}", inner: io)
                : io;
        }
    }

    /// <summary>Writes one file into the staging folder, then fails (or cancels) when told to.</summary>
    private sealed class HalfWayWriter : IOutputWriter
    {
        public Exception? Failure { get; set; }
        public CancellationTokenSource? CancelHalfWay { get; init; }
        public string Kind => "half";
        public bool AppliesTo(Document document) => true;

        public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
        {
            await File.WriteAllTextAsync(Path.Combine(context.OutputDirectory, "half.txt"), "the first half", cancellationToken);
            if (CancelHalfWay is not null)
            {
                await CancelHalfWay.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (Failure is not null)
            {
                throw Failure;
            }
            return [WrittenOutput.For(context.OutputDirectory, "half.txt", Kind, "text/plain")];
        }
    }
}
