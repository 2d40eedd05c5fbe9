using System.Security.Cryptography;
using Annotate.Integration.Tests.Support;

namespace Annotate.Integration.Tests;

/// <summary>One broker, one Gateway and two Worker processes for the tests of this class.</summary>
public sealed class TwoWorkersFixture : IAsyncLifetime
{
    public Deployment? Deployment { get; private set; }

    public async Task InitializeAsync()
    {
        // Skipped tests need nothing started.
        if (TestServices.SkipReason([Service.RabbitMq]) is null)
        {
            Deployment = await Deployment.StartAsync(workers: 2);
        }
    }

    public async Task DisposeAsync()
    {
        if (Deployment is not null)
        {
            await Deployment.DisposeAsync();
        }
    }
}

/// <summary>A Gateway and two separate Worker processes over RabbitMQ, sharing the blob folders.</summary>
public sealed class TwoWorkersTests(TwoWorkersFixture fixture) : IClassFixture<TwoWorkersFixture>
{
    private Deployment Deployment => fixture.Deployment!;

    [ServicesFact(Service.RabbitMq)]
    public async Task Two_workers_annotate_200_documents_each_exactly_once()
    {
        var documents = Documents.Mixed("batch", 200);

        var ids = await Deployment.UploadAsync(documents);
        var finished = await Deployment.WaitUntilFinishedAsync(ids, TimeSpan.FromMinutes(4));
        await Deployment.Events.WaitUntilAsync(events => ids.All(id => events.Any(e => e.Type == EventTap.Annotated && e.DocumentId == id)),
            TimeSpan.FromSeconds(60), "a DocumentAnnotated event for every document");

        var notCompleted = ids.Where(id => Deployment.State(finished[id]) != "Completed").Select(id => $"{finished[id].GetProperty("fileName")}: {finished[id].GetProperty("message")}").ToList();
        Assert.True(notCompleted.Count == 0, $"Not completed: {string.Join("; ", notCompleted)}");
        // Every file differs, so none was answered with another's outputs: each was really annotated.
        Assert.All(ids, id => Assert.Equal(System.Text.Json.JsonValueKind.Null, finished[id].GetProperty("duplicateOf").ValueKind));
        var started = Deployment.Events.ByDocument(EventTap.Started);
        var annotated = Deployment.Events.ByDocument(EventTap.Annotated);
        var failed = Deployment.Events.ByDocument(EventTap.Failed);
        var twice = ids.Where(id => started[id].Count != 1 || annotated[id].Count != 1 || failed.ContainsKey(id)).ToList();
        Assert.True(twice.Count == 0, $"Not annotated exactly once: {string.Join("; ", twice.Select(id => $"{id}: {Deployment.Events.Describe(id)}"))}");
        Assert.All(ids, id => Assert.True(File.Exists(Path.Combine(Deployment.Outbox, id, "annotations.json")), $"{id} has its annotations.json"));
        // Both workers took documents, and only workers did: the gateway on RabbitMQ runs none.
        var byProcess = ids.GroupBy(id => annotated[id].Single().ProcessId).ToDictionary(g => g.Key, g => g.Count());
        var workers = Deployment.Workers.Select(w => w.Id).ToList();
        Assert.All(byProcess.Keys, pid => Assert.Contains(pid, workers));
        Assert.True(workers.All(byProcess.ContainsKey), $"Documents per worker process: {string.Join(", ", byProcess.Select(p => $"{p.Key}: {p.Value}"))}");
    }

    [ServicesFact(Service.RabbitMq)]
    public async Task A_completed_command_delivered_again_produces_no_second_result()
    {
        var (name, content) = Documents.Text("again", 1);
        var id = (await Deployment.UploadAsync([(name, content)])).Single();
        var before = (await Deployment.WaitUntilFinishedAsync([id], TimeSpan.FromMinutes(1)))[id];
        Assert.Equal("Completed", Deployment.State(before));
        await Deployment.Events.WaitUntilAsync(events => events.Any(e => e.Type == EventTap.Annotated && e.DocumentId == id), TimeSpan.FromSeconds(30), "its DocumentAnnotated event");
        var outputs = Directory.GetFiles(Path.Combine(Deployment.Outbox, id));
        Assert.NotEmpty(outputs);
        var written = outputs.ToDictionary(f => f, File.GetLastWriteTimeUtc);

        // The same command again, as a redelivery or a second sender would bring it.
        var ignored = Deployment.Workers.Select(w => w.WaitForLineAsync(l => l.Contains($"already finished as document {id}", StringComparison.Ordinal))).ToList();
        await Deployment.Events.PublishCommandAsync(new
        {
            documentId = id,
            sourceUri = $"blob:sources/{id}/{name}",
            fileName = name,
            contentSha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
            submittedAt = DateTimeOffset.UtcNow,
        });
        await Task.WhenAny(Task.WhenAny(ignored), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(ignored.Any(t => t.IsCompletedSuccessfully), $"No worker said it ignored the command for {id}:\n{Deployment.Diagnostics()}");

        // The worker printed that line instead of starting: nothing was published, written or recorded again.
        Assert.Equal(1, Deployment.Events.Events.Count(e => e.DocumentId == id && e.Type == EventTap.Started));
        Assert.Equal(1, Deployment.Events.Events.Count(e => e.DocumentId == id && e.Type == EventTap.Annotated));
        Assert.DoesNotContain(Deployment.Events.Events, e => e.DocumentId == id && e.Type == EventTap.Failed);
        Assert.Equal(written, Directory.GetFiles(Path.Combine(Deployment.Outbox, id)).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        var after = (await Deployment.TryDocumentsAsync())![id];
        Assert.Equal("Completed", Deployment.State(after));
        Assert.Equal(before.GetProperty("finishedAt").GetString(), after.GetProperty("finishedAt").GetString());
        Assert.Equal(before.GetProperty("attempts").GetInt32(), after.GetProperty("attempts").GetInt32());
    }
}
