using Annotate.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Annotate.Integration.Tests;

/// <summary>A worker killed with SIGKILL in the middle of a run: its documents go back to the queue and the other worker finishes them.</summary>
public sealed class WorkerKillTests(ITestOutputHelper output)
{
    [ServicesFact(Service.RabbitMq)]
    public async Task A_worker_killed_in_the_middle_of_a_run_loses_nothing_and_does_nothing_twice()
    {
        await using var deployment = await Deployment.StartAsync(workers: 2, log: output.WriteLine);
        // Tables of some hundred rows: long enough to be caught in flight.
        var documents = Enumerable.Range(1, 30).Select(i => Documents.Csv("kill", i, rows: 400)).ToList();
        var victim = deployment.Workers[0];
        var survivor = deployment.Workers[1];

        var ids = await deployment.UploadAsync(documents);
        deployment.Log($"{ids.Length} documents uploaded");
        // Killed while it is annotating: it has started a document it has not finished.
        await deployment.Events.WaitUntilAsync(events => events.Any(s => s.Type == EventTap.Started && s.ProcessId == victim.Id
                && !events.Any(e => e.DocumentId == s.DocumentId && e.Type != EventTap.Started)),
            TimeSpan.FromMinutes(2), $"{victim.Name} annotating a document");
        await victim.KillAsync();
        deployment.Log($"{victim.Name} killed");

        var finished = await deployment.WaitUntilFinishedAsync(ids, TimeSpan.FromMinutes(3));
        await deployment.Events.WaitUntilAsync(events => ids.All(id => events.Any(e => e.Type == EventTap.Annotated && e.DocumentId == id)),
            TimeSpan.FromSeconds(60), "a DocumentAnnotated event for every document");
        deployment.Log("all finished");

        var notCompleted = ids.Where(id => Deployment.State(finished[id]) != "Completed").Select(id => $"{finished[id].GetProperty("fileName")}: {finished[id].GetProperty("state")} {finished[id].GetProperty("message")}").ToList();
        Assert.True(notCompleted.Count == 0, $"Not completed: {string.Join("; ", notCompleted)}");
        var annotated = deployment.Events.ByDocument(EventTap.Annotated);
        var twice = ids.Where(id => annotated[id].Count != 1).ToList();
        Assert.True(twice.Count == 0, $"Annotated more than once: {string.Join("; ", twice.Select(id => $"{id}: {deployment.Events.Describe(id)}"))}");
        Assert.All(ids, id => Assert.True(File.Exists(Path.Combine(deployment.Outbox, id, "annotations.json")), $"{id} has its annotations.json"));
        // The documents the victim had started and never finished were redelivered to the survivor, which annotated them.
        var interrupted = deployment.Events.ByDocument(EventTap.Started)
            .Where(d => d.Value.Any(s => s.ProcessId == victim.Id) && annotated[d.Key].Single().ProcessId != victim.Id)
            .Select(d => d.Key).ToList();
        Assert.NotEmpty(interrupted);
        Assert.All(interrupted, id => Assert.Equal(survivor.Id, annotated[id].Single().ProcessId));
        Assert.False(survivor.HasExited, survivor.Output);
    }
}
