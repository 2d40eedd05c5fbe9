using Annotate.Gateway.Storage;
using Annotate.Messages;

namespace Annotate.Gateway.Tests.Storage;

/// <summary>What every <see cref="IDocumentStore"/> does, run against each store by its subclass.</summary>
public abstract class DocumentStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, 123, 456, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private IDocumentStore? _store;

    /// <summary>A new store over this test's own (empty at first) database; not yet initialized.</summary>
    protected abstract Task<IDocumentStore> CreateStoreAsync();

    /// <summary>A store over this test's database, brought to the first schema version only, holding one document written as that release did.</summary>
    protected abstract Task<IDocumentStore> CreateStoreAtFirstSchemaAsync(string id, DateTimeOffset receivedAt);

    public virtual async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.InitializeAsync(None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private IDocumentStore Store => _store!;

    private static DocumentRecord Record(string id, int minutes = 0, string? sha = null, string? profile = null) => new()
    {
        Id = id,
        FileName = id + ".txt",
        Channel = "inbox",
        State = DocumentState.Received,
        Profile = profile,
        Sha256 = sha,
        ReceivedAt = T0.AddMinutes(minutes),
    };

    private static DocumentCompletion Completion(int minutes, string? duplicateOf = null) => new(
        "outbox/x",
        [new OutputFile { Name = "x.json", Kind = "annotations", MediaType = "application/json", SizeBytes = 12 }],
        new AnnotationDigest { Format = "text", Words = 3, Entities = new Dictionary<string, int> { ["email"] = 2 }, Notices = ["n"] },
        new StageTimings { ReadMs = 1.5, AnnotateMs = 2, WriteMs = 3, TotalMs = 6.5 },
        T0.AddMinutes(minutes),
        duplicateOf,
        "fingerprint",
        "model-sha");

    [StoreFact]
    public async Task Adding_an_id_twice_keeps_the_first_and_reports_the_second_as_a_no_op()
    {
        Assert.True(await Store.TryAddAsync(Record("a"), None));
        Assert.False(await Store.TryAddAsync(Record("a") with { FileName = "other.txt" }, None));
        Assert.Equal("a.txt", (await Store.FindAsync("a", None))!.FileName);
    }

    [StoreFact]
    public async Task A_child_keeps_its_parent_and_depth_and_the_parent_lists_its_children_in_the_order_received()
    {
        Assert.True(await Store.TryAddAsync(Record("mail"), None));
        Assert.True(await Store.TryAddAsync(Record("other"), None));
        Assert.True(await Store.TryAddAsync(Record("att-2", minutes: 2) with { ParentId = "mail", Depth = 1, Channel = "part", Tenant = "acme" }, None));
        Assert.True(await Store.TryAddAsync(Record("att-1", minutes: 1) with { ParentId = "mail", Depth = 1, Channel = "part", Tenant = "acme" }, None));
        Assert.True(await Store.TryAddAsync(Record("entry", minutes: 3) with { ParentId = "att-1", Depth = 2, Channel = "part" }, None));

        var child = (await Store.FindAsync("att-1", None))!;
        Assert.Equal("mail", child.ParentId);
        Assert.Equal(1, child.Depth);
        Assert.Equal("acme", child.Tenant);
        Assert.Null((await Store.FindAsync("mail", None))!.ParentId);
        Assert.Equal(0, (await Store.FindAsync("mail", None))!.Depth);
        Assert.Equal(["att-1", "att-2"], (await Store.ListChildrenAsync("mail", 10, None)).Select(r => r.Id));
        Assert.Equal(["att-1"], (await Store.ListChildrenAsync("mail", 1, None)).Select(r => r.Id));
        Assert.Equal(["entry"], (await Store.ListChildrenAsync("att-1", 10, None)).Select(r => r.Id));
        Assert.Empty(await Store.ListChildrenAsync("other", 10, None));
        Assert.False(await Store.TryAddAsync(Record("att-1") with { ParentId = "other" }, None));
        Assert.Equal("mail", (await Store.FindAsync("att-1", None))!.ParentId);
    }

    [StoreFact]
    public async Task Find_returns_every_field_as_stored_and_null_for_an_unknown_id()
    {
        var record = new DocumentRecord
        {
            Id = "full", FileName = "f.pdf", Channel = "http", State = DocumentState.Processing, Profile = "invoice",
            SourceUri = "blob://f", OutputUri = "outbox/f", Sha256 = "abc", SizeBytes = 5_000_000_000, Reason = "r", Message = "m",
            Retryable = true, CorrelationId = "corr", DuplicateOf = "orig", ProfileFingerprint = "fp", ModelSha256 = "ms",
            Attempts = 2, Dispatches = 3, ReceivedAt = T0, StartedAt = T0.AddSeconds(1), FinishedAt = T0.AddSeconds(2),
            DispatchedAt = T0.AddSeconds(0.5), PurgedAt = T0.AddDays(30), Tenant = "acme", TokensIn = 6_000_000_000, TokensOut = 30,
            Timings = new StageTimings { ReadMs = 1.25, TotalMs = 4 },
            Digest = new AnnotationDigest { Format = "pdf", Title = "T", Language = "en", Pages = 2, Words = 10, Tables = 1, Rows = 4,
                Entities = new Dictionary<string, int> { ["iban"] = 1, ["email"] = 2 }, Notices = ["a", "b"] },
            Outputs = [new OutputFile { Name = "o.json", Kind = "annotations", MediaType = "application/json", SizeBytes = 7 }],
        };
        Assert.True(await Store.TryAddAsync(record, None));

        var found = await Store.FindAsync("full", None);

        Assert.NotNull(found);
        // Records holding collections compare them by reference, so those are compared apart.
        Assert.Equal(record with { Digest = null, Outputs = [] }, found with { Digest = null, Outputs = [] });
        Assert.Equal(record.Digest with { Entities = null!, Notices = null! }, found.Digest! with { Entities = null!, Notices = null! });
        Assert.Equal(record.Digest.Entities.OrderBy(e => e.Key), found.Digest!.Entities.OrderBy(e => e.Key));
        Assert.Equal(record.Digest.Notices, found.Digest.Notices);
        Assert.Equal(record.Outputs, found.Outputs);
        Assert.Null(await Store.FindAsync("nobody", None));
    }

    [StoreFact]
    public async Task List_returns_the_newest_first_up_to_the_limit()
    {
        await Store.TryAddAsync(Record("old", 0), None);
        await Store.TryAddAsync(Record("newest", 20), None);
        await Store.TryAddAsync(Record("middle", 10), None);

        Assert.Equal(["newest", "middle"], (await Store.ListAsync(2, None)).Select(r => r.Id));
        Assert.Equal(["newest", "middle", "old"], (await Store.ListAsync(10, None)).Select(r => r.Id));
    }

    [StoreFact]
    public async Task ListByState_returns_documents_in_those_states_oldest_first()
    {
        await Store.TryAddAsync(Record("received-late", 30), None);
        await Store.TryAddAsync(Record("processing", 20), None);
        await Store.TryAddAsync(Record("completed", 10), None);
        await Store.TryAddAsync(Record("received-early", 0), None);
        await Store.MarkProcessingAsync("processing", T0.AddMinutes(21), 1, None);
        await Store.MarkCompletedAsync("completed", Completion(11), None);

        var pending = await Store.ListByStateAsync([DocumentState.Received, DocumentState.Processing], None);

        Assert.Equal(["received-early", "processing", "received-late"], pending.Select(r => r.Id));
        Assert.Equal(["completed"], (await Store.ListByStateAsync([DocumentState.Completed], None)).Select(r => r.Id));
        Assert.Empty(await Store.ListByStateAsync([DocumentState.Failed], None));
    }

    [StoreFact]
    public async Task FindCompleted_returns_the_newest_original_with_that_content_and_profile()
    {
        foreach (var (id, profile) in new[] { ("first", (string?)null), ("second", null), ("copy", null), ("invoice", "invoice"), ("pending", null) })
        {
            await Store.TryAddAsync(Record(id, sha: "sha", profile: profile), None);
        }
        await Store.MarkCompletedAsync("first", Completion(1), None);
        await Store.MarkCompletedAsync("second", Completion(2), None);
        await Store.MarkCompletedAsync("copy", Completion(3, duplicateOf: "second"), None);
        await Store.MarkCompletedAsync("invoice", Completion(4), None);
        await Store.TryAddAsync(Record("failed", sha: "other"), None);
        await Store.MarkFailedAsync("failed", "corrupt", "bad", false, T0, None);

        Assert.Equal("second", (await Store.FindCompletedAsync("sha", null, None))?.Id);
        Assert.Equal("second", (await Store.FindCompletedAsync("sha", "", None))?.Id);
        Assert.Equal("invoice", (await Store.FindCompletedAsync("sha", "invoice", None))?.Id);
        Assert.Null(await Store.FindCompletedAsync("sha", "contract", None));
        Assert.Null(await Store.FindCompletedAsync("other", null, None));
    }

    [StoreFact]
    public async Task MarkProcessing_records_the_start_and_keeps_the_highest_attempt()
    {
        await Store.TryAddAsync(Record("a"), None);

        Assert.True(await Store.MarkProcessingAsync("a", T0.AddSeconds(1), 2, None));
        Assert.True(await Store.MarkProcessingAsync("a", T0.AddSeconds(2), 1, None));
        Assert.False(await Store.MarkProcessingAsync("nobody", T0, 1, None));

        var found = (await Store.FindAsync("a", None))!;
        Assert.Equal(DocumentState.Processing, found.State);
        Assert.Equal(T0.AddSeconds(2), found.StartedAt);
        Assert.Equal(2, found.Attempts);
    }

    [StoreFact]
    public async Task The_first_start_reported_is_counted_once_even_after_the_outcome()
    {
        await Store.TryAddAsync(Record("overtaken"), None);
        await Store.TryAddAsync(Record("started"), None);
        // The outcome arrived first and gave the record a start of its own; the report that follows is still the first.
        await Store.MarkCompletedAsync("overtaken", Completion(5), None);
        Assert.NotNull((await Store.FindAsync("overtaken", None))!.StartedAt);

        Assert.True(await Store.TryCountFirstStartAsync("overtaken", 1, None));
        Assert.False(await Store.TryCountFirstStartAsync("overtaken", 1, None));
        Assert.True(await Store.TryCountFirstStartAsync("started", 0, None));
        Assert.False(await Store.TryCountFirstStartAsync("started", 2, None));
        Assert.False(await Store.TryCountFirstStartAsync("nobody", 1, None));

        var overtaken = (await Store.FindAsync("overtaken", None))!;
        Assert.Equal((DocumentState.Completed, 1), (overtaken.State, overtaken.Attempts));
        Assert.Equal(1, (await Store.FindAsync("started", None))!.Attempts);
    }

    [StoreFact]
    public async Task A_document_completed_without_a_recorded_start_gets_one_from_the_workers_total_time()
    {
        await Store.TryAddAsync(Record("unstarted", 0), None);
        await Store.TryAddAsync(Record("started", 0), None);
        await Store.TryAddAsync(Record("late", 10), None);
        await Store.MarkProcessingAsync("started", T0.AddMinutes(3), 1, None);

        await Store.MarkCompletedAsync("unstarted", Completion(5), None);
        await Store.MarkCompletedAsync("started", Completion(5), None);
        // A worker whose clock is behind cannot put the start before the document arrived.
        await Store.MarkCompletedAsync("late", Completion(5), None);

        Assert.Equal(T0.AddMinutes(5).AddMilliseconds(-6.5), (await Store.FindAsync("unstarted", None))!.StartedAt);
        Assert.Equal(T0.AddMinutes(3), (await Store.FindAsync("started", None))!.StartedAt);
        Assert.Equal(T0.AddMinutes(10), (await Store.FindAsync("late", None))!.StartedAt);
    }

    [StoreFact]
    public async Task A_completed_document_is_never_changed_again()
    {
        await Store.TryAddAsync(Record("a"), None);
        await Store.MarkProcessingAsync("a", T0, 1, None);

        Assert.True(await Store.MarkCompletedAsync("a", Completion(5), None));
        var completed = (await Store.FindAsync("a", None))!;

        Assert.False(await Store.MarkCompletedAsync("a", Completion(9) with { OutputUri = "elsewhere" }, None));
        Assert.False(await Store.MarkFailedAsync("a", "crashed", "late", true, T0.AddMinutes(9), None));
        Assert.False(await Store.MarkProcessingAsync("a", T0.AddMinutes(9), 5, None));
        Assert.False(await Store.SetContentAsync("a", "blob://late", "late", 1, None));
        var after = (await Store.FindAsync("a", None))!;

        Assert.Equal(DocumentState.Completed, after.State);
        Assert.Equal("outbox/x", after.OutputUri);
        Assert.Equal(T0.AddMinutes(5), after.FinishedAt);
        Assert.Equal("fingerprint", after.ProfileFingerprint);
        Assert.Equal("model-sha", after.ModelSha256);
        Assert.Equal(new StageTimings { ReadMs = 1.5, AnnotateMs = 2, WriteMs = 3, TotalMs = 6.5 }, after.Timings);
        Assert.Equal(2, after.Digest!.Entities["email"]);
        Assert.Equal("x.json", Assert.Single(after.Outputs).Name);
        Assert.Equal(completed with { Digest = null, Outputs = [] }, after with { Digest = null, Outputs = [] });
    }

    [StoreFact]
    public async Task A_failed_document_is_never_changed_again()
    {
        await Store.TryAddAsync(Record("a"), None);

        Assert.True(await Store.MarkFailedAsync("a", "corrupt", "unreadable", true, T0.AddMinutes(1), None));
        Assert.False(await Store.MarkFailedAsync("a", "crashed", "again", false, T0.AddMinutes(2), None));
        Assert.False(await Store.MarkCompletedAsync("a", Completion(3), None));
        Assert.False(await Store.MarkProcessingAsync("a", T0.AddMinutes(4), 2, None));
        Assert.False(await Store.MarkFailedAsync("nobody", "corrupt", "x", false, T0, None));
        Assert.False(await Store.MarkCompletedAsync("nobody", Completion(3), None));

        var found = (await Store.FindAsync("a", None))!;
        Assert.Equal(DocumentState.Failed, found.State);
        Assert.Equal(("corrupt", "unreadable", true), (found.Reason, found.Message, found.Retryable));
        Assert.Equal(T0.AddMinutes(1), found.FinishedAt);
        Assert.Null(found.OutputUri);
    }

    [StoreFact]
    public async Task SetContent_records_the_bytes_of_an_unfinished_document_only()
    {
        await Store.TryAddAsync(Record("a"), None);

        Assert.True(await Store.SetContentAsync("a", "blob://a", "sha-a", 42, None));
        Assert.False(await Store.SetContentAsync("nobody", "blob://n", "sha-n", 1, None));

        var found = (await Store.FindAsync("a", None))!;
        Assert.Equal(("blob://a", "sha-a", 42L), (found.SourceUri, found.Sha256, found.SizeBytes));
    }

    [StoreFact]
    public async Task CountDispatch_counts_hand_overs_of_unfinished_documents_only()
    {
        await Store.TryAddAsync(Record("a"), None);

        Assert.Equal(1, await Store.CountDispatchAsync("a", T0, null, None));
        await Store.MarkProcessingAsync("a", T0, 1, None);
        Assert.Equal(2, await Store.CountDispatchAsync("a", T0, null, None));
        Assert.Null(await Store.CountDispatchAsync("nobody", T0, null, None));
        await Store.MarkFailedAsync("a", "crashed", "x", false, T0, None);
        Assert.Null(await Store.CountDispatchAsync("a", T0, null, None));
        Assert.Equal(2, (await Store.FindAsync("a", None))!.Dispatches);
    }

    [StoreFact]
    public async Task CountDispatch_with_an_expected_count_counts_once_for_two_callers_that_read_the_same_count()
    {
        await Store.TryAddAsync(Record("a"), None);

        Assert.Equal(1, await Store.CountDispatchAsync("a", T0.AddMinutes(1), 0, None));
        Assert.Null(await Store.CountDispatchAsync("a", T0.AddMinutes(2), 0, None));
        Assert.Equal(2, await Store.CountDispatchAsync("a", T0.AddMinutes(3), 1, None));

        var found = (await Store.FindAsync("a", None))!;
        Assert.Equal((2, T0.AddMinutes(3)), (found.Dispatches, found.DispatchedAt));
    }

    [StoreFact]
    public async Task ListStuck_returns_handed_over_documents_without_a_start_or_dispatch_since_the_deadline()
    {
        foreach (var id in new[] { "processing-old", "processing-restarted", "received-dispatched", "received-never-sent", "redispatched", "done" })
        {
            await Store.TryAddAsync(Record(id), None);
        }
        await Store.MarkProcessingAsync("processing-old", T0.AddMinutes(1), 1, None);
        await Store.MarkProcessingAsync("processing-restarted", T0.AddMinutes(1), 1, None);
        await Store.MarkProcessingAsync("processing-restarted", T0.AddMinutes(30), 2, None);
        await Store.CountDispatchAsync("received-dispatched", T0.AddMinutes(2), null, None);
        await Store.CountDispatchAsync("redispatched", T0.AddMinutes(2), null, None);
        await Store.CountDispatchAsync("redispatched", T0.AddMinutes(40), null, None);
        await Store.CountDispatchAsync("done", T0.AddMinutes(2), null, None);
        await Store.MarkCompletedAsync("done", Completion(3), None);

        var stuck = await Store.ListStuckAsync(T0.AddMinutes(20), 10, None);

        Assert.Equal(["processing-old", "received-dispatched"], stuck.Select(r => r.Id).Order());
        Assert.Single(await Store.ListStuckAsync(T0.AddMinutes(20), 1, None));
        Assert.Empty(await Store.ListStuckAsync(T0, 10, None));
    }

    [StoreFact]
    public async Task ListPurgeable_returns_finished_documents_not_yet_purged_and_MarkPurged_marks_them_once()
    {
        foreach (var id in new[] { "completed-old", "failed-old", "completed-recent", "processing" })
        {
            await Store.TryAddAsync(Record(id), None);
        }
        await Store.MarkCompletedAsync("completed-old", Completion(1), None);
        await Store.MarkFailedAsync("failed-old", "corrupt", "bad", false, T0.AddMinutes(2), None);
        await Store.MarkCompletedAsync("completed-recent", Completion(100), None);
        await Store.MarkProcessingAsync("processing", T0, 1, None);

        Assert.Equal(["completed-old", "failed-old"], (await Store.ListPurgeableAsync(T0.AddMinutes(50), 10, None)).Select(r => r.Id));

        Assert.True(await Store.MarkPurgedAsync("completed-old", T0.AddDays(9), None));
        Assert.False(await Store.MarkPurgedAsync("completed-old", T0.AddDays(10), None));
        Assert.False(await Store.MarkPurgedAsync("processing", T0.AddDays(10), None));
        Assert.Equal(["failed-old"], (await Store.ListPurgeableAsync(T0.AddMinutes(50), 10, None)).Select(r => r.Id));
        var purged = (await Store.FindAsync("completed-old", None))!;
        Assert.Equal((DocumentState.Completed, T0.AddDays(9)), (purged.State, purged.PurgedAt));
        Assert.Null((await Store.FindAsync("processing", None))!.PurgedAt);
    }

    [StoreFact]
    public async Task RollUpThroughput_counts_each_minute_and_running_it_again_gives_the_same_rows()
    {
        var minute = new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero);
        await Store.TryAddAsync(Record("a") with { ReceivedAt = minute.AddSeconds(5) }, None);
        await Store.TryAddAsync(Record("b") with { ReceivedAt = minute.AddSeconds(50) }, None);
        await Store.TryAddAsync(Record("c") with { ReceivedAt = minute.AddMinutes(1).AddSeconds(1) }, None);
        await Store.TryAddAsync(Record("old") with { ReceivedAt = minute.AddMinutes(-30) }, None);
        await Store.MarkCompletedAsync("a", Completion(0) with { CompletedAt = minute.AddSeconds(30) }, None);
        await Store.MarkFailedAsync("b", "timeout", "slow", false, minute.AddMinutes(1).AddSeconds(10), None);
        await Store.MarkFailedAsync("c", "timeout", "slow", false, minute.AddMinutes(1).AddSeconds(20), None);
        await Store.MarkFailedAsync("old", "corrupt", "bad", false, minute.AddMinutes(1).AddSeconds(30), None);

        await Store.RollUpThroughputAsync(minute, minute.AddMinutes(3), None);
        await Store.RollUpThroughputAsync(minute.AddSeconds(1), minute.AddMinutes(3), None);
        var rows = await Store.ListThroughputAsync(minute.AddMinutes(-60), minute.AddMinutes(60), None);

        Assert.Equal(2, rows.Count);
        Assert.Equal((minute, 2, 1, 0), (rows[0].Minute, rows[0].Received, rows[0].Completed, rows[0].Failed));
        Assert.Empty(rows[0].FailedByReason);
        Assert.Equal((minute.AddMinutes(1), 1, 0, 3), (rows[1].Minute, rows[1].Received, rows[1].Completed, rows[1].Failed));
        Assert.Equal(new Dictionary<string, int> { ["corrupt"] = 1, ["timeout"] = 2 }, rows[1].FailedByReason.OrderBy(r => r.Key).ToDictionary());
        Assert.Single(await Store.ListThroughputAsync(minute.AddMinutes(1), minute.AddMinutes(2), None));
    }

    [StoreFact]
    public async Task RollUpThroughput_replaces_minutes_whose_documents_changed_and_leaves_others_alone()
    {
        var minute = new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero);
        await Store.TryAddAsync(Record("early") with { ReceivedAt = minute.AddMinutes(-10) }, None);
        await Store.TryAddAsync(Record("gone") with { ReceivedAt = minute.AddSeconds(1) }, None);
        await Store.RollUpThroughputAsync(minute.AddMinutes(-10), minute.AddMinutes(2), None);

        await Store.DeleteAsync("gone", None);
        await Store.TryAddAsync(Record("later") with { ReceivedAt = minute.AddMinutes(1) }, None);
        await Store.RollUpThroughputAsync(minute, minute.AddMinutes(2), None);

        var rows = await Store.ListThroughputAsync(minute.AddMinutes(-60), minute.AddMinutes(60), None);
        Assert.Equal([(minute.AddMinutes(-10), 1), (minute.AddMinutes(1), 1)], rows.Select(r => (r.Minute, r.Received)));
    }

    [StoreFact]
    public async Task Delete_removes_unfinished_documents_only()
    {
        await Store.TryAddAsync(Record("received"), None);
        await Store.TryAddAsync(Record("processing"), None);
        await Store.TryAddAsync(Record("done"), None);
        await Store.MarkProcessingAsync("processing", T0, 1, None);
        await Store.MarkCompletedAsync("done", Completion(1), None);

        Assert.True(await Store.DeleteAsync("received", None));
        Assert.True(await Store.DeleteAsync("processing", None));
        Assert.False(await Store.DeleteAsync("done", None));
        Assert.False(await Store.DeleteAsync("received", None));

        Assert.Equal(["done"], (await Store.ListAsync(10, None)).Select(r => r.Id));
    }

    [StoreFact]
    public async Task Initializing_again_keeps_the_schema_and_the_documents()
    {
        await Store.TryAddAsync(Record("a"), None);
        await Store.InitializeAsync(None);

        var again = await CreateStoreAsync();
        await again.InitializeAsync(None);

        Assert.Equal("a", (await again.FindAsync("a", None))?.Id);
        Assert.Equal(1, await again.CountDispatchAsync("a", T0, null, None));
    }

    [StoreFact]
    public async Task A_database_of_the_first_schema_version_is_upgraded_with_its_documents()
    {
        var store = await CreateStoreAtFirstSchemaAsync("old", T0);

        await store.InitializeAsync(None);

        var old = (await store.FindAsync("old", None))!;
        Assert.Equal((DocumentState.Received, 0, T0), (old.State, old.Dispatches, old.ReceivedAt));
        Assert.Null(old.ProfileFingerprint);
        Assert.Equal(1, await store.CountDispatchAsync("old", T0, null, None));
        Assert.True(await store.MarkCompletedAsync("old", Completion(1), None));
        Assert.Equal("fingerprint", (await store.FindAsync("old", None))!.ProfileFingerprint);
        Assert.True(await store.TryAddAsync(Record("new", 1), None));
        Assert.Equal(Tenants.Default, (await store.FindAsync("old", None))!.Tenant);
    }

    [StoreFact]
    public async Task Only_a_completed_document_is_marked_reviewed_and_the_list_shows_when()
    {
        await Store.TryAddAsync(Record("done"), None);
        await Store.TryAddAsync(Record("waiting", 1), None);
        await Store.MarkCompletedAsync("done", Completion(1), None);

        Assert.True(await Store.MarkReviewedAsync("done", T0.AddMinutes(5), None));
        Assert.False(await Store.MarkReviewedAsync("waiting", T0.AddMinutes(5), None));
        Assert.False(await Store.MarkReviewedAsync("nope", T0.AddMinutes(5), None));

        Assert.Equal(T0.AddMinutes(5), (await Store.FindAsync("done", None))!.ReviewedAt);
        Assert.Null((await Store.FindAsync("waiting", None))!.ReviewedAt);
        Assert.Equal(T0.AddMinutes(5), (await Store.ListAsync(10, None)).Single(r => r.Id == "done").ReviewedAt);
    }

    [StoreFact]
    public async Task A_document_keeps_its_tenant_and_a_tenant_lists_only_its_own_documents()
    {
        await Store.TryAddAsync(Record("a1", 0) with { Tenant = "acme" }, None);
        await Store.TryAddAsync(Record("b1", 1) with { Tenant = "globex" }, None);
        await Store.TryAddAsync(Record("a2", 2) with { Tenant = "acme" }, None);
        await Store.TryAddAsync(Record("d1", 3), None);

        Assert.Equal("acme", (await Store.FindAsync("a1", None))!.Tenant);
        Assert.Equal(Tenants.Default, (await Store.FindAsync("d1", None))!.Tenant);
        Assert.Equal(new[] { "a2", "a1" }, (await Store.ListForTenantAsync("acme", 10, None)).Select(r => r.Id));
        Assert.Equal(new[] { "b1" }, (await Store.ListForTenantAsync("globex", 10, None)).Select(r => r.Id));
        Assert.Equal(new[] { "a2" }, (await Store.ListForTenantAsync("acme", 1, None)).Select(r => r.Id));
        Assert.Empty(await Store.ListForTenantAsync("nobody", 10, None));
    }

    [StoreFact]
    public async Task MarkCompleted_records_the_model_tokens_and_a_document_without_them_has_none()
    {
        await Store.TryAddAsync(Record("model"), None);
        await Store.TryAddAsync(Record("rules"), None);

        await Store.MarkCompletedAsync("model", Completion(1) with { TokensIn = 1200, TokensOut = 80 }, None);
        await Store.MarkCompletedAsync("rules", Completion(1), None);

        var model = (await Store.FindAsync("model", None))!;
        var rules = (await Store.FindAsync("rules", None))!;
        Assert.Equal((1200L, 80L), (model.TokensIn, model.TokensOut));
        Assert.Equal((null, null), (rules.TokensIn, rules.TokensOut));
    }

    [StoreFact]
    public async Task Throughput_latency_and_in_flight_are_kept_per_tenant_with_the_tokens_of_completed_documents()
    {
        var minute = new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero);
        await Store.TryAddAsync(Record("a1") with { Tenant = "acme", ReceivedAt = minute.AddSeconds(1) }, None);
        await Store.TryAddAsync(Record("a2") with { Tenant = "acme", ReceivedAt = minute.AddSeconds(2) }, None);
        await Store.TryAddAsync(Record("a3") with { Tenant = "acme", ReceivedAt = minute.AddSeconds(3) }, None);
        await Store.TryAddAsync(Record("g1") with { Tenant = "globex", ReceivedAt = minute.AddSeconds(4) }, None);
        await Store.TryAddAsync(Record("g2") with { Tenant = "globex", ReceivedAt = minute.AddSeconds(5) }, None);
        await Store.MarkCompletedAsync("a1", Completion(0) with { CompletedAt = minute.AddSeconds(11), TokensIn = 100, TokensOut = 10 }, None);
        await Store.MarkCompletedAsync("a2", Completion(0) with { CompletedAt = minute.AddSeconds(32), TokensIn = 50, TokensOut = 5 }, None);
        await Store.MarkCompletedAsync("g1", Completion(0) with { CompletedAt = minute.AddSeconds(44), TokensIn = 7, TokensOut = 1 }, None);
        await Store.MarkFailedAsync("g2", "corrupt", "bad", false, minute.AddSeconds(50), None);

        await Store.RollUpThroughputAsync(minute, minute.AddMinutes(1), None);

        var acme = Assert.Single(await Store.ListThroughputAsync(minute, minute.AddMinutes(1), "acme", None));
        Assert.Equal(("acme", 3, 2, 0, 150L, 15L), (acme.Tenant, acme.Received, acme.Completed, acme.Failed, acme.TokensIn, acme.TokensOut));
        var globex = Assert.Single(await Store.ListThroughputAsync(minute, minute.AddMinutes(1), "globex", None));
        Assert.Equal(("globex", 2, 1, 1, 7L, 1L), (globex.Tenant, globex.Received, globex.Completed, globex.Failed, globex.TokensIn, globex.TokensOut));
        Assert.Equal(new[] { "acme", "globex" }, (await Store.ListThroughputAsync(minute, minute.AddMinutes(1), None)).Select(m => m.Tenant));
        Assert.Empty(await Store.ListThroughputAsync(minute, minute.AddMinutes(1), "nobody", None));

        Assert.Equal(new[] { 10_000d, 30_000d }, (await Store.ListLatenciesAsync(minute, minute.AddMinutes(1), 10, "acme", None)).Order());
        Assert.Equal(new[] { 40_000d }, await Store.ListLatenciesAsync(minute, minute.AddMinutes(1), 10, "globex", None));
        Assert.Equal(3, (await Store.ListLatenciesAsync(minute, minute.AddMinutes(1), 10, None)).Count);
        Assert.Equal((1, 0, 1), (await Store.CountUnfinishedAsync("acme", None), await Store.CountUnfinishedAsync("globex", None), await Store.CountUnfinishedAsync(None)));
    }

    [StoreFact]
    public async Task ListFailed_pages_through_one_reason_of_one_tenant_oldest_first()
    {
        for (var i = 0; i < 5; i++)
        {
            // Two share a receipt time, so the page boundary has to fall between equal times.
            await Store.TryAddAsync(Record($"acme-{i}", i < 2 ? 0 : i) with { Tenant = "acme" }, None);
            await Store.MarkFailedAsync($"acme-{i}", "timeout", "slow", true, T0.AddHours(1), None);
        }
        await Store.TryAddAsync(Record("acme-corrupt", 1) with { Tenant = "acme" }, None);
        await Store.MarkFailedAsync("acme-corrupt", "corrupt", "bad", false, T0.AddHours(1), None);
        await Store.TryAddAsync(Record("globex-timeout", 1) with { Tenant = "globex" }, None);
        await Store.MarkFailedAsync("globex-timeout", "timeout", "slow", true, T0.AddHours(1), None);
        await Store.TryAddAsync(Record("acme-pending", 1) with { Tenant = "acme", Reason = "timeout" }, None);

        var seen = new List<string>();
        FailedPageCursor? after = null;
        for (var page = await Store.ListFailedAsync("acme", "timeout", null, 2, None); page.Count > 0; page = await Store.ListFailedAsync("acme", "timeout", after, 2, None))
        {
            Assert.True(page.Count <= 2);
            seen.AddRange(page.Select(r => r.Id));
            after = FailedPageCursor.After(page[^1]);
        }

        Assert.Equal(5, seen.Count);
        Assert.Equal(new[] { "acme-2", "acme-3", "acme-4" }, seen.Skip(2));
        Assert.Equal(new[] { "acme-0", "acme-1" }, seen.Take(2).Order());
        Assert.Equal(new[] { "globex-timeout" }, (await Store.ListFailedAsync("globex", "timeout", null, 10, None)).Select(r => r.Id));
        Assert.Equal(6, (await Store.ListFailedAsync(null, "timeout", null, 10, None)).Count);
        Assert.Empty(await Store.ListFailedAsync("acme", "empty", null, 10, None));
    }

    [StoreFact]
    public async Task An_api_key_is_found_by_its_hash_until_it_is_revoked_and_is_listed_without_its_hash()
    {
        var keys = (IApiKeyStore)Store;
        Assert.False(await keys.HasApiKeysAsync(None));
        var key = new StoredApiKey("k_1", "acme", "invoices robot", T0);

        Assert.True(await keys.AddApiKeyAsync(key, "aa11", None));
        Assert.True(await keys.AddApiKeyAsync(new StoredApiKey("k_2", "globex", null, T0.AddMinutes(1)), "bb22", None));
        Assert.False(await keys.AddApiKeyAsync(key with { Id = "k_3" }, "aa11", None));
        Assert.False(await keys.AddApiKeyAsync(key, "cc33", None));

        Assert.True(await keys.HasApiKeysAsync(None));
        Assert.Equal("acme", await keys.FindApiKeyTenantAsync("aa11", None));
        Assert.Equal("globex", await keys.FindApiKeyTenantAsync("bb22", None));
        Assert.Null(await keys.FindApiKeyTenantAsync("cc33", None));
        Assert.Equal(new[] { key, new StoredApiKey("k_2", "globex", null, T0.AddMinutes(1)) }, await keys.ListApiKeysAsync(None));

        Assert.True(await keys.RevokeApiKeyAsync("k_1", T0.AddHours(1), None));
        Assert.False(await keys.RevokeApiKeyAsync("k_1", T0.AddHours(2), None));
        Assert.False(await keys.RevokeApiKeyAsync("k_9", T0.AddHours(2), None));

        Assert.Null(await keys.FindApiKeyTenantAsync("aa11", None));
        Assert.Equal("globex", await keys.FindApiKeyTenantAsync("bb22", None));
        Assert.Equal(T0.AddHours(1), (await keys.ListApiKeysAsync(None))[0].RevokedAt);
        Assert.True(await keys.HasApiKeysAsync(None));
    }

    [StoreFact]
    public async Task FindEarliestCopy_returns_the_first_completed_or_unfinished_document_of_the_same_tenant_profile_and_content()
    {
        await Store.TryAddAsync(Record("failed", 0, "sha"), None);
        await Store.MarkFailedAsync("failed", "corrupt", "bad", false, T0, None);
        await Store.TryAddAsync(Record("purged", 1, "sha"), None);
        await Store.MarkCompletedAsync("purged", Completion(1), None);
        await Store.MarkPurgedAsync("purged", T0.AddDays(1), None);
        await Store.TryAddAsync(Record("other-tenant", 2, "sha") with { Tenant = "globex" }, None);
        await Store.TryAddAsync(Record("other-profile", 2, "sha", "invoice"), None);
        await Store.TryAddAsync(Record("other-content", 2, "sha-2"), None);
        await Store.TryAddAsync(Record("first", 3, "sha"), None);
        await Store.TryAddAsync(Record("second", 4, "sha", "default"), None);
        await Store.MarkCompletedAsync("second", Completion(5), None);
        await Store.TryAddAsync(Record("new", 6, "sha"), None);

        var now = T0.AddMinutes(6);
        // Received counts as in flight; null and "default" are the same profile.
        Assert.Equal("first", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "new", now, None))?.Id);
        Assert.Equal("first", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, "default", "new", now, None))?.Id);
        Assert.Equal("other-tenant", (await Store.FindEarliestCopyAsync("sha", "globex", null, "new", now, None))?.Id);
        Assert.Equal("other-profile", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, "invoice", "new", now, None))?.Id);
        Assert.Null(await Store.FindEarliestCopyAsync("sha", Tenants.Default, "invoice", "other-profile", T0.AddMinutes(2), None));
        Assert.Null(await Store.FindEarliestCopyAsync("sha-3", Tenants.Default, null, "new", now, None));
        // Only documents received before count: the first copy never waits for a later one.
        Assert.Null(await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "first", T0.AddMinutes(3), None));
        Assert.Equal("first", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "second", T0.AddMinutes(4), None))?.Id);
        // At the same instant the smaller id is the earlier.
        await Store.TryAddAsync(Record("first-twin", 3, "sha"), None);
        Assert.Equal("first", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "first-twin", T0.AddMinutes(3), None))?.Id);
        Assert.Null(await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "first", T0.AddMinutes(3), None));

        // A document waiting on another is never the one to wait on; the completed one is next.
        Assert.True(await Store.SetDuplicateOfAsync("first", "second", None));
        Assert.True(await Store.SetDuplicateOfAsync("first-twin", "second", None));
        Assert.Equal("second", (await Store.FindEarliestCopyAsync("sha", Tenants.Default, null, "new", now, None))?.Id);
    }

    [StoreFact]
    public async Task Waiting_duplicates_are_listed_for_their_earlier_document_until_they_finish_or_are_released()
    {
        await Store.TryAddAsync(Record("earlier", 0, "sha"), None);
        await Store.TryAddAsync(Record("copy-1", 1, "sha"), None);
        await Store.TryAddAsync(Record("copy-2", 2, "sha"), None);
        await Store.TryAddAsync(Record("copy-3", 3, "sha"), None);

        Assert.True(await Store.SetDuplicateOfAsync("copy-1", "earlier", None));
        Assert.True(await Store.SetDuplicateOfAsync("copy-2", "earlier", None));
        Assert.True(await Store.SetDuplicateOfAsync("copy-3", "earlier", None));
        Assert.Equal(["copy-1", "copy-2", "copy-3"], (await Store.ListWaitingDuplicatesAsync("earlier", None)).Select(r => r.Id));
        Assert.Equal("earlier", (await Store.FindAsync("copy-1", None))!.DuplicateOf);

        await Store.MarkCompletedAsync("copy-1", Completion(4, duplicateOf: "earlier"), None);
        Assert.True(await Store.SetDuplicateOfAsync("copy-2", null, None));
        Assert.Equal(["copy-3"], (await Store.ListWaitingDuplicatesAsync("earlier", None)).Select(r => r.Id));
        Assert.Null((await Store.FindAsync("copy-2", None))!.DuplicateOf);
        // Only a document not yet handed over or finished can be made to wait.
        Assert.False(await Store.SetDuplicateOfAsync("copy-1", null, None));
        Assert.Empty(await Store.ListWaitingDuplicatesAsync("nobody", None));
    }
}
