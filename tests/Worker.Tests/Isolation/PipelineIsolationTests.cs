using System.Diagnostics;
using System.Text.Json;
using Annotate.Annotators.Pipeline;
using Annotate.Messages;
using Annotate.Worker.Isolation;
using Annotate.Worker.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Annotate.Worker.Tests.Isolation;

public sealed class PipelineIsolationTests
{

    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Fifty_documents_complete_and_each_fault_fails_only_its_own_document_with_its_reason()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            // Small limits, so the faults are caught quickly: a child sits well under 400 MiB with the tiny model.
            ["Annotate:Worker:Isolation:MemoryCapMegabytes"] = "900",
            ["Annotate:Worker:Isolation:RecycleAboveMegabytes"] = "800",
            ["Annotate:Worker:Isolation:CrashRetries"] = "1",
            // Generous: after each crash up to five children start at once (the replacement and a fresh one for each retry),
            // which on a loaded 2-core machine keeps ordinary documents waiting for tens of seconds.
            ["Annotate:Worker:DocumentTimeout"] = "00:01:30",
        });
        var faults = new Dictionary<string, (string Marker, string Reason)>
        {
            ["fault-abort"] = (FaultInjection.AbortMarker, FailureReason.Crashed),
            ["fault-failfast"] = (FaultInjection.CrashMarker, FailureReason.Crashed),
            ["fault-stack"] = (FaultInjection.StackOverflowMarker, FailureReason.Crashed),
            ["fault-allocate"] = (FaultInjection.AllocateMarker, FailureReason.OutOfMemory),
            ["fault-hang"] = (FaultInjection.HangMarker, FailureReason.Timeout),
        };

        // The faulty documents go out among the ordinary ones, so each shares its child with others.
        var next = 0;
        foreach (var (id, (marker, _)) in faults)
        {
            for (var k = 0; k < 10; k++, next++)
            {
                await worker.SubmitAsync($"doc-{next}", $"report-{next}.txt", IsolationHarness.Ordinary(next));
            }
            await worker.SubmitAsync(id, id + ".txt", marker + " and then ordinary text.\n");
        }
        await worker.WaitForOutcomesAsync(50 + faults.Count, Bound);

        for (var i = 0; i < 50; i++)
        {
            var outcome = worker.Outcomes[$"doc-{i}"];
            Assert.True(outcome is DocumentAnnotated, $"doc-{i}: {(outcome as DocumentAnnotationFailed)?.Reason} {(outcome as DocumentAnnotationFailed)?.Message}");
            Assert.Equal("text", ((DocumentAnnotated)outcome).Digest.Format);
        }
        foreach (var (id, (_, reason)) in faults)
        {
            var failed = Assert.IsType<DocumentAnnotationFailed>(worker.Outcomes[id]);
            Assert.Equal(reason, failed.Reason);
            Assert.False(failed.Retryable);
            Assert.Contains($"'{id}.txt'", failed.Message);
            Assert.DoesNotContain(worker.Root, failed.Message);
        }
        // The worker (this process) stayed up, and a fresh child is ready for the next document.
        var health = await new IsolationHealthCheck(worker.Supervisor).CheckHealthAsync(new HealthCheckContext());
        Assert.True(health.Data.TryGetValue("crashes:crashed", out var crashed) && (int)crashed >= 3, string.Join(", ", health.Data));
        Assert.True(health.Data.ContainsKey("crashes:out-of-memory"), string.Join(", ", health.Data));
        // No "crashes:timeout" asserted: when another fault kills the hanging document's child first, its time may run
        // out while its retry waits for a fresh child, and then no child needs killing for it.
        await worker.SubmitAsync("after", "after.txt", IsolationHarness.Ordinary(99));
        await worker.WaitForOutcomesAsync(51 + faults.Count, Bound);
        Assert.True(worker.Outcomes["after"] is DocumentAnnotated, IsolationHarness.Describe(worker.Outcomes["after"]));
    }

    [Fact]
    public async Task A_child_is_recycled_after_its_document_limit_and_no_document_is_lost()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:Isolation:RecycleAfterDocuments"] = "4",
        });

        for (var i = 0; i < 14; i++)
        {
            await worker.SubmitAsync($"doc-{i}", $"report-{i}.txt", IsolationHarness.Ordinary(i));
        }
        await worker.WaitForOutcomesAsync(14, Bound);

        Assert.All(worker.Outcomes.Values, o => Assert.IsType<DocumentAnnotated>(o));
        Assert.True(worker.Supervisor.ChildrenRecycled >= 3, $"recycled {worker.Supervisor.ChildrenRecycled}");
        var state = worker.Supervisor.State();
        Assert.Empty(state.DeathsByReason);
    }

    [Fact]
    public async Task An_idle_child_is_stopped_and_the_next_document_starts_a_fresh_one()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:Isolation:IdleStopAfter"] = "00:00:02",
        });
        await worker.SubmitAsync("doc-0", "report-0.txt", IsolationHarness.Ordinary(0));
        await worker.WaitForOutcomesAsync(1, Bound);
        // The child that annotated it (on a loaded machine the first may already have been stopped before it came).
        var annotatedBy = worker.Supervisor.LastHello!.ProcessId;

        await WaitForExitAsync(annotatedBy);

        Assert.True(worker.Supervisor.ChildrenStoppedIdle >= 1);
        Assert.True(worker.Supervisor.State().StoppedIdle);
        var health = await new IsolationHealthCheck(worker.Supervisor).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Contains("stopped while idle", health.Description, StringComparison.Ordinal);

        await worker.SubmitAsync("doc-1", "report-1.txt", IsolationHarness.Ordinary(1));
        await worker.WaitForOutcomesAsync(2, Bound);

        Assert.IsType<DocumentAnnotated>(worker.Outcomes["doc-0"]);
        Assert.True(worker.Outcomes["doc-1"] is DocumentAnnotated, IsolationHarness.Describe(worker.Outcomes["doc-1"]));
        Assert.NotEqual(annotatedBy, worker.Supervisor.LastHello!.ProcessId);
        // Stopped, not died: nothing counts as a crash or a restart.
        Assert.Empty(worker.Supervisor.State().DeathsByReason);
    }

    [Fact]
    public async Task A_document_that_reaches_a_stopped_supervisor_is_handed_back_and_starts_no_child()
    {
        await using var worker = await IsolationHarness.StartAsync();
        await worker.Supervisor.StopAsync(TimeSpan.FromSeconds(10));
        var started = worker.Supervisor.ChildrenStarted;

        await worker.SubmitAsync("doc-late", "late.txt", IsolationHarness.Ordinary(0));

        // Handed back as a transient failure naming the file (on RabbitMQ it is redelivered, to another worker; this
        // harness has no broker to redeliver it, so its retries run out): never run in a child started after the stop,
        // which nothing would stop again.
        await worker.WaitForOutcomesAsync(1, Bound);
        var failed = Assert.IsType<DocumentAnnotationFailed>(worker.Outcomes["doc-late"]);
        Assert.Equal((FailureReason.Cancelled, true), (failed.Reason, failed.Retryable));
        Assert.Equal("'late.txt' was not started: the worker is stopping.", failed.Message);
        Assert.Equal(started, worker.Supervisor.ChildrenStarted);
    }

    [Fact]
    public async Task An_idle_child_releases_its_encoder_language_models_and_model_context_and_the_next_document_loads_them_again()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:Isolation:ReleaseCachesAfter"] = "00:00:00.100",
            ["Annotate:Worker:Isolation:HeartbeatInterval"] = "00:00:00.200",
            ["Annotate:Worker:Isolation:RecycleAboveMegabytes"] = "800",
            // A profile that uses all three: the language detector, the sentence encoder (keywords) and the language
            // model (metadata), whose context is given back while idle and created again by the next document.
            ["Annotate:Profiles:semantic:Annotators:0"] = "language",
            ["Annotate:Profiles:semantic:Annotators:1"] = "keywords",
            ["Annotate:Profiles:semantic:Annotators:2"] = "metadata",
        });
        using var bound = new CancellationTokenSource(Bound);
        // The warm-up leaves the child idle with the language models it loaded before its hello; the sentence encoder
        // it leaves for the first document (800 MiB: a child with the encoder would pass half of it).
        await worker.Supervisor.WaitForCachesReleasedAsync(1, bound.Token);
        var warmedUp = worker.Supervisor.LastRelease!;
        // The release comes after the warm-up, which the child has reported by then: the health check says so.
        await worker.Supervisor.WaitForWarmUpAsync(bound.Token);
        var health = await new IsolationHealthCheck(worker.Supervisor).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(true, health.Data["warmedUp"]);
        Assert.DoesNotContain("warming up", health.Description, StringComparison.Ordinal);

        await worker.SubmitAsync("doc-0", "report-0.txt", IsolationHarness.Ordinary(0), profile: "semantic");
        await worker.WaitForOutcomesAsync(1, Bound);
        var child = worker.Supervisor.LastHello!.ProcessId;
        // A release follows a document, or the warm-up, only: the second one is doc-0's.
        await worker.Supervisor.WaitForCachesReleasedAsync(2, bound.Token);
        var first = worker.Supervisor.LastRelease!;

        await worker.SubmitAsync("doc-1", "report-1.txt", IsolationHarness.Ordinary(1), profile: "semantic");
        await worker.WaitForOutcomesAsync(2, Bound);
        await worker.Supervisor.WaitForCachesReleasedAsync(3, bound.Token);
        var second = worker.Supervisor.LastRelease!;

        Assert.Equal(["language-detector", "model-context"], warmedUp.Items.Order(StringComparer.Ordinal));
        foreach (var id in new[] { "doc-0", "doc-1" })
        {
            var annotated = Assert.IsType<DocumentAnnotated>(worker.Outcomes[id]);
            Assert.Equal("en", annotated.Digest.Language);
        }
        // Released again after doc-1: doc-1 loaded both again, in the same child, which stayed up.
        Assert.Equal(["language-detector", "model-context", "sentence-encoder"], first.Items.Order(StringComparer.Ordinal));
        Assert.Equal(["language-detector", "model-context", "sentence-encoder"], second.Items.Order(StringComparer.Ordinal));
        Assert.Equal(child, worker.Supervisor.LastHello!.ProcessId);
        Assert.Equal(1, worker.Supervisor.ChildrenStarted);
        Assert.True(second.ResidentMegabytesAfter < second.ResidentMegabytesBefore, $"{second.ResidentMegabytesBefore} → {second.ResidentMegabytesAfter} MiB");
        // The worker compacted its own heaps at each of the idle child's releases.
        Assert.Equal(3, worker.Supervisor.Compactions);
        // blob:outputs/doc-1/ in the harness's local blob store.
        var annotations = await File.ReadAllTextAsync(Path.Combine(worker.Root, "outbox", "doc-1", "annotations.json"));
        Assert.Contains("\"keywords\"", annotations, StringComparison.Ordinal);
        Assert.Contains("\"metadata\"", annotations, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_with_room_loads_the_sentence_encoder_while_it_warms_up()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:Isolation:ReleaseCachesAfter"] = "00:00:00.100",
            ["Annotate:Worker:Isolation:HeartbeatInterval"] = "00:00:00.200",
            ["Annotate:Worker:Isolation:RecycleAboveMegabytes"] = "3000",
        });
        using var bound = new CancellationTokenSource(Bound);

        // What the warm-up loaded is what the idle child then gives back.
        await worker.Supervisor.WaitForCachesReleasedAsync(1, bound.Token);

        Assert.Equal(["language-detector", "model-context", "sentence-encoder"], worker.Supervisor.LastRelease!.Items.Order(StringComparer.Ordinal));
        // The child's log lines come over its stderr, its frames over stdout: the line may still be on its way.
        var warmedUp = await worker.WaitForLogAsync("Warmed up in", bound.Token);
        Assert.Contains("sentence encoder loaded", warmedUp, StringComparison.Ordinal);
        // And, last, the large workbook, read by the streaming reader (Annotate:Worker:Isolation:WarmUpWorkbookRows).
        Assert.Contains("large workbook of 20,000 rows read, annotated and written (streamed: True)", warmedUp, StringComparison.Ordinal);
        // Then the long PDF (Annotate:Worker:Isolation:WarmUpPdfPages).
        Assert.Contains("long PDF of 200 pages read, annotated and written", warmedUp, StringComparison.Ordinal);
        // And what of the PDF library the report did not run, compiled ahead.
        Assert.Matches(@"the rest of the PDF library compiled ahead \([1-9][0-9,]{3,} methods\)", warmedUp);
    }

    [Fact]
    public async Task An_idle_child_gives_back_the_pages_of_its_encoders_weights_and_language_models_without_unloading_them()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            // Nothing released when idle: what is given back here is the trim's only.
            ["Annotate:Worker:Isolation:ReleaseCachesAfter"] = "00:00:00",
            ["Annotate:Worker:Isolation:HeartbeatInterval"] = "00:00:00.200",
            ["Annotate:Worker:Isolation:RecycleAboveMegabytes"] = "3000",
        });
        using var bound = new CancellationTokenSource(Bound);

        // The warm-up loads the encoder; once the child has been idle for two heartbeats it trims.
        var warmedUp = await worker.WaitForLogAsync("Warmed up in", bound.Token);
        Assert.Contains("sentence encoder loaded", warmedUp, StringComparison.Ordinal);
        var trimmed = await worker.WaitForLogAsync("the pages of mapped files given back", bound.Token);

        // The encoder's 87 MiB of weights, mapped from its file, and the language models the warm-up read, from theirs.
        Assert.Matches(@"sentence-encoder (8[5-9]|9[0-9]) MiB", trimmed);
        Assert.Matches(@"language-detector [1-9][0-9]* MiB", trimmed);
        Assert.Null(worker.Supervisor.LastRelease);
    }

    private static async Task WaitForExitAsync(int processId)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            return; // gone already
        }
        using (process)
        {
            using var bound = new CancellationTokenSource(Bound);
            await process.WaitForExitAsync(bound.Token);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task The_child_runs_the_server_collector_unless_told_not_to(string? setting, bool server)
    {
        await using var worker = await IsolationHarness.StartAsync(setting is null ? null : new() { ["Annotate:Worker:Isolation:ServerGarbageCollection"] = setting });

        // As the child's runtime found it (GCSettings.IsServerGC in its hello), whatever the runtimeconfig it runs with says.
        Assert.Equal(server, worker.Supervisor.LastHello!.ServerGarbageCollection);
        // The worker's own collector is not changed.
        Assert.False(System.Runtime.GCSettings.IsServerGC);
    }

    [Fact]
    public async Task The_child_optimises_hot_methods_at_the_runtimes_threshold_the_worker_only_after_1000_calls()
    {
        // The worker's runtimeconfig, which the child is started with too, raises the threshold for the worker's light code.
        using (var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Annotate.Worker.runtimeconfig.json"))))
        {
            Assert.Equal(1000, config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties")
                .GetProperty("System.Runtime.TieredCompilation.CallCountThreshold").GetInt32());
        }
        await using var worker = await IsolationHarness.StartAsync();

        // The child's environment as its process holds it: the runtime's default, over the runtimeconfig's.
        var environment = (await File.ReadAllTextAsync($"/proc/{worker.Supervisor.LastChildProcessId}/environ")).Split('\0');
        Assert.Contains("DOTNET_TC_CallCountThreshold=30", environment);
    }

    [Fact]
    public async Task The_model_is_loaded_once_per_child_not_once_per_document()
    {
        await using var worker = await IsolationHarness.StartAsync();

        for (var i = 0; i < 12; i++)
        {
            await worker.SubmitAsync($"doc-{i}", $"report-{i}.txt", IsolationHarness.Ordinary(i));
        }
        await worker.WaitForOutcomesAsync(12, Bound);

        Assert.All(worker.Outcomes.Values, o => Assert.IsType<DocumentAnnotated>(o));
        Assert.Equal(1, worker.Supervisor.ChildrenStarted);
        // The model host's "loaded" line, forwarded from the child's stderr: once, for one child and twelve documents.
        var loads = worker.Logs.Count(l => l.Category.EndsWith("LlamaModelHost", StringComparison.Ordinal) && l.Message.Contains("loaded from", StringComparison.Ordinal));
        Assert.Equal(1, loads);
        var annotated = worker.Outcomes.Values.OfType<DocumentAnnotated>().First();
        Assert.Equal(worker.Supervisor.LastHello?.ModelSha256, annotated.ModelSha256);
        Assert.NotNull(annotated.ModelSha256);
    }

    [Fact]
    public async Task A_document_that_hangs_past_its_time_fails_with_timeout_and_its_child_is_killed()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:DocumentTimeout"] = "00:00:10",
        });

        await worker.SubmitAsync("hang", "stuck.txt", FaultInjection.HangMarker + " forever.\n");
        for (var i = 0; i < 3; i++)
        {
            await worker.SubmitAsync($"doc-{i}", $"report-{i}.txt", IsolationHarness.Ordinary(i));
        }
        await worker.WaitForOutcomesAsync(4, Bound);

        var failed = Assert.IsType<DocumentAnnotationFailed>(worker.Outcomes["hang"]);
        Assert.Equal(FailureReason.Timeout, failed.Reason);
        Assert.Contains("'stuck.txt'", failed.Message);
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(worker.Outcomes[$"doc-{i}"] is DocumentAnnotated, IsolationHarness.Describe(worker.Outcomes[$"doc-{i}"])));
        // The hung parser could not be cancelled: its child was killed and replaced.
        Assert.Equal(1, worker.Supervisor.State().DeathsByReason.GetValueOrDefault(FailureReason.Timeout));
        await worker.SubmitAsync("after", "after.txt", IsolationHarness.Ordinary(7));
        await worker.WaitForOutcomesAsync(5, Bound);
        Assert.True(worker.Outcomes["after"] is DocumentAnnotated, IsolationHarness.Describe(worker.Outcomes["after"]));
    }

    [Fact]
    public async Task A_frozen_child_is_killed_when_its_heartbeats_stop_and_its_document_completes_in_a_fresh_one()
    {
        await using var worker = await IsolationHarness.StartAsync(new()
        {
            ["Annotate:Worker:Isolation:HeartbeatTimeout"] = "00:00:03",
        });
        var frozen = worker.Supervisor.LastHello!.ProcessId;
        // SIGSTOP: the whole process stops, heartbeat thread included, as a child stuck in the kernel or in a GC would.
        Assert.Equal(0, Annotate.Worker.Isolation.NativeMethods.kill(frozen, 19));

        await worker.SubmitAsync("doc-0", "report-0.txt", IsolationHarness.Ordinary(0));
        await worker.WaitForOutcomesAsync(1, Bound);

        Assert.IsType<DocumentAnnotated>(worker.Outcomes["doc-0"]);
        // At least the frozen one (on a loaded machine a fresh child may also miss three seconds of heartbeats), and it is gone.
        Assert.True(worker.Supervisor.State().DeathsByReason.GetValueOrDefault(FailureReason.Crashed) >= 1);
        Assert.NotEqual(frozen, worker.Supervisor.LastHello!.ProcessId);
        Assert.NotEqual(0, Annotate.Worker.Isolation.NativeMethods.kill(frozen, 0));
    }

    [Fact]
    public async Task A_child_keeps_its_temporary_files_in_a_folder_of_its_own_that_goes_when_it_is_killed()
    {
        var temporary = Path.Combine(Path.GetTempPath(), "annotate-isolation-tests", "temporary-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        try
        {
            // What a worker killed with its children leaves: a child's folder and its lock file, which nobody holds (the
            // cases a sweep tells apart are OwnedTemporaryFolderTests'), and another program's folder.
            var orphan = Path.Combine(temporary, PipelineChildProcess.ChildFolderPrefix + "orphan");
            Directory.CreateDirectory(orphan);
            await File.WriteAllTextAsync(Path.Combine(orphan, "annotate-rows-1.bin"), "rows");
            await File.WriteAllTextAsync(orphan + ".lock", "");
            var other = Directory.CreateDirectory(Path.Combine(temporary, "other-program")).FullName;

            // The first thing the child writes inside a folder of the temporary root (its warm-up's files).
            var childWrote = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var watcher = new FileSystemWatcher(temporary) { IncludeSubdirectories = true };
            watcher.Created += (_, e) =>
            {
                var relative = Path.GetRelativePath(temporary, e.FullPath);
                if (relative.Contains(Path.DirectorySeparatorChar) && relative.StartsWith(PipelineChildProcess.ChildFolderPrefix, StringComparison.Ordinal))
                {
                    childWrote.TrySetResult(e.FullPath);
                }
            };
            watcher.EnableRaisingEvents = true;

            await using var worker = await IsolationHarness.StartAsync(new() { ["Annotate:Worker:Isolation:TemporaryFolder"] = temporary });

            Assert.False(Directory.Exists(orphan));
            Assert.False(File.Exists(orphan + ".lock"));
            Assert.True(Directory.Exists(other));
            var live = Assert.Single(ChildFolders(temporary));
            Assert.ThrowsAny<IOException>(() => new FileStream(live + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None));
            using var bound = new CancellationTokenSource(Bound);
            var written = await childWrote.Task.WaitAsync(bound.Token);
            Assert.StartsWith(live + Path.DirectorySeparatorChar, written, StringComparison.Ordinal);
            // Whatever the child had there when it was killed (a spill of a large workbook, the encoder's model copy).
            await File.WriteAllTextAsync(Path.Combine(live, "annotate-sst-1.bin"), "strings");

            var killed = worker.Supervisor.LastHello!.ProcessId;
            Assert.Equal(0, Annotate.Worker.Isolation.NativeMethods.kill(killed, 9));
            await worker.SubmitAsync("doc-0", "report-0.txt", IsolationHarness.Ordinary(0));
            await worker.WaitForOutcomesAsync(1, Bound);

            Assert.IsType<DocumentAnnotated>(worker.Outcomes["doc-0"]);
            Assert.NotEqual(killed, worker.Supervisor.LastHello!.ProcessId);
            Assert.False(Directory.Exists(live));
            Assert.False(File.Exists(live + ".lock"));
            // The fresh child has a folder of its own.
            Assert.Contains(ChildFolders(temporary), f => f != live);
        }
        finally
        {
            Directory.Delete(temporary, recursive: true);
        }
    }

    private static string[] ChildFolders(string root) => Directory.GetDirectories(root, PipelineChildProcess.ChildFolderPrefix + "*");

    [Fact]
    public void Invalid_isolation_settings_are_refused()
    {
        var result = new IsolationOptionsValidator().Validate(null, new IsolationOptions { MemoryCapMegabytes = 500, RecycleAboveMegabytes = 600, HeartbeatTimeout = TimeSpan.FromSeconds(1), ReleaseCachesAfter = TimeSpan.FromSeconds(-1) });
        Assert.True(result.Failed);
        Assert.Contains("ReleaseCachesAfter", result.FailureMessage);
        Assert.Contains("RecycleAboveMegabytes", result.FailureMessage);
        Assert.Contains("HeartbeatTimeout", result.FailureMessage);
        Assert.True(new IsolationOptionsValidator().Validate(null, new IsolationOptions()).Succeeded);
        Assert.True(new IsolationOptionsValidator().Validate(null, new IsolationOptions { ReleaseCachesAfter = TimeSpan.Zero }).Succeeded);
    }
}
