using Annotate.Gateway.Jobs;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Annotate.Gateway.Tests.Jobs;

/// <summary>
/// Two gateways' schedulers, configured as the gateway configures its own on PostgreSQL (same scheduler name, the
/// qrtz_* tables from the state store's migrations), share one schedule: every firing of a job runs on one of them.
/// </summary>
[RequiresPostgres]
public sealed class ClusteredSchedulerTests : IAsyncLifetime
{
    private const int Firings = 5;
    private const string Instances = "SELECT count(DISTINCT instance_name) FROM qrtz_scheduler_state";
    private string _connectionString = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync(this);
        await using var store = new PostgresDocumentStore(Options.Create(new StateStoreOptions { PostgresConnectionString = _connectionString }));
        await store.InitializeAsync(CancellationToken.None);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("CREATE TABLE job_runs (scheduled_fire_time timestamptz NOT NULL, instance text NOT NULL);", connection);
        await create.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => TestDatabase.DropAsync(this);

    [StoreFact]
    public async Task Two_clustered_schedulers_run_each_firing_of_a_job_once()
    {
        var hosts = new[] { Gateway(), Gateway() };
        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        try
        {
            // Bounded wait on the state, not on a clock: the trigger fires every 200 ms, five times, and both schedulers
            // check in to the cluster. The five firings can be over before the second one has: on a fresh database its
            // first check-in may lose a race with the other's and come again a check-in interval (7.5 s) later.
            for (var i = 0; i < 600 && (await CountAsync("SELECT count(*) FROM job_runs") < Firings || await CountAsync(Instances) < 2); i++)
            {
                await Task.Delay(100);
            }
        }
        finally
        {
            // Stopping waits for running jobs, so every execution is in the table before it is counted.
            await Task.WhenAll(hosts.Select(h => h.StopAsync()));
            foreach (var host in hosts)
            {
                host.Dispose();
            }
        }

        var runs = await CountAsync("SELECT count(*) FROM job_runs");
        Assert.True(runs >= Firings, $"{runs} of {Firings} firings ran within 60 s");
        Assert.Equal(runs, await CountAsync("SELECT count(DISTINCT scheduled_fire_time) FROM job_runs"));
        Assert.Equal(2, await CountAsync(Instances));
    }

    private IHost Gateway()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new JobRunsTable(_connectionString));
        builder.Services.AddQuartz(q =>
        {
            GatewayHostingExtensions.UseAnnotateJobStore(q, new JobsOptions(), new StateStoreOptions { PostgresConnectionString = _connectionString });
            q.ScheduleJob<CountingJob>(
                trigger => trigger.WithIdentity("count").StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMilliseconds(200)).WithRepeatCount(Firings - 1)),
                job => job.WithIdentity("count"));
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder.Build();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public sealed record JobRunsTable(string ConnectionString);

    /// <summary>Records each execution with the firing it belongs to and the scheduler that ran it.</summary>
    [DisallowConcurrentExecution]
    public sealed class CountingJob(JobRunsTable table) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(table.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO job_runs (scheduled_fire_time, instance) VALUES (@at, @instance);", connection);
            insert.Parameters.AddWithValue("at", (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).ToUniversalTime());
            insert.Parameters.AddWithValue("instance", context.Scheduler.SchedulerInstanceId);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
