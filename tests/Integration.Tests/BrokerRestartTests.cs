using Annotate.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Annotate.Integration.Tests;

/// <summary>The broker restarted in the middle of a run: the hosts reconnect by themselves and no document is left behind.</summary>
public sealed class BrokerRestartTests(ITestOutputHelper output)
{
    [ServicesFact(Service.RabbitMq)]
    public async Task A_broker_restart_in_the_middle_of_a_run_leaves_every_document_Completed_or_Failed()
    {
        await using var deployment = await Deployment.StartAsync(workers: 2, log: output.WriteLine);
        var documents = Enumerable.Range(1, 40).Select(i => Documents.Csv("restart", i, rows: 300)).ToList();

        var ids = await deployment.UploadAsync(documents);
        deployment.Log($"{ids.Length} documents uploaded");
        await deployment.Events.WaitUntilAsync(events => events.Count(e => e.Type == EventTap.Annotated) >= 5,
            TimeSpan.FromMinutes(2), "five documents annotated");
        var unfinished = ids.Length - deployment.Events.Events.Count(e => e.Type is EventTap.Annotated or EventTap.Failed);
        await deployment.Broker.RestartAsync();
        deployment.Log($"broker restarted with {unfinished} documents unfinished");

        Assert.True(unfinished > 0, "The run was over before the broker restarted");
        var finished = await deployment.WaitUntilFinishedAsync(ids, TimeSpan.FromMinutes(3));
        deployment.Log($"all finished: {string.Join(", ", ids.GroupBy(id => Deployment.State(finished[id])).Select(g => $"{g.Count()} {g.Key}"))}");
        Assert.All(ids, id => Assert.True(Deployment.IsFinal(finished[id]), $"{finished[id].GetProperty("fileName")} is {Deployment.State(finished[id])}"));
        Assert.All(ids.Where(id => Deployment.State(finished[id]) == "Completed"),
            id => Assert.True(File.Exists(Path.Combine(deployment.Outbox, id, "annotations.json")), $"{id} has its annotations.json"));

        // The gateway and both workers are back on the broker: a new document goes all the way through.
        Assert.All(deployment.Workers.Append(deployment.Gateway), h => Assert.False(h.HasExited, h.Output));
        await deployment.WaitForWorkQueueConsumersAsync(2, TimeSpan.FromMinutes(2));
        var after = (await deployment.UploadAsync([Documents.Text("after-restart", 1)])).Single();
        var status = (await deployment.WaitUntilFinishedAsync([after], TimeSpan.FromMinutes(2)))[after];
        Assert.Equal("Completed", Deployment.State(status));
    }
}
