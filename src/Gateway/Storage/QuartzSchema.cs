using Quartz;

namespace Annotate.Gateway.Storage;

/// <summary>
/// The tables of Quartz.NET's persistent job store on PostgreSQL (<c>qrtz_*</c>), applied as a step of
/// <see cref="PostgresDocumentStore"/>'s migrations, so the gateways' clustered scheduler finds them at start-up.
/// </summary>
public static class QuartzSchema
{
    /// <summary>Prefix of the scheduler's tables (Quartz's default).</summary>
    public const string TablePrefix = "qrtz_";

    // The PostgreSQL script the Quartz package ships for its own CreateIfMissing provisioning: generated from the same
    // description as Quartz.NET's database/tables/tables_postgres.sql, but for exactly the version referenced, and without
    // the DROP statements of the hand-run script.
    private const string Resource = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    /// <summary>The statements that create the scheduler's tables and indexes under <paramref name="prefix"/> (each only if missing).</summary>
    public static string[] PostgresStatements(string prefix)
    {
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The Quartz package no longer ships {Resource}; the scheduler's tables cannot be created.");
        using var reader = new StreamReader(stream);
        // '{0}' is the table prefix, '{1}' the same without a schema qualifier (index names); statements are separated by a
        // line reading exactly '--;;', and the other lines starting with '--' are comments.
        var statements = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var line in reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Append("--;;"))
        {
            if (line == "--;;")
            {
                if (current.ToString().Trim() is { Length: > 0 } statement)
                {
                    statements.Add(statement);
                }
                current.Clear();
            }
            else if (!line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                current.AppendLine(line);
            }
        }
        return statements
            .Select(s => s.Replace("{0}", prefix, StringComparison.Ordinal).Replace("{1}", prefix, StringComparison.Ordinal))
            .ToArray();
    }
}
