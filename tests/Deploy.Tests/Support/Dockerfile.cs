using System.Text.RegularExpressions;

namespace Annotate.Deploy.Tests.Support;

/// <summary>deploy/Dockerfile read as its instructions, stage by stage (continued lines joined, comments left out).</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(List<(string Stage, string Instruction, string Arguments)> instructions) => Instructions = instructions;

    /// <summary>Every instruction with the stage it belongs to ("" before the first FROM).</summary>
    public List<(string Stage, string Instruction, string Arguments)> Instructions { get; }

    public IEnumerable<string> Stages => Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Stage);

    public static Dockerfile Load()
    {
        var lines = File.ReadAllLines(Repository.File("deploy/Dockerfile")).Where(l => !l.TrimStart().StartsWith('#'));
        var joined = Continuation().Replace(string.Join('\n', lines), " ");
        var instructions = new List<(string, string, string)>();
        var stage = "";
        foreach (var line in joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ', 2);
            var arguments = parts.Length > 1 ? parts[1].Trim() : "";
            if (parts[0] == "FROM")
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : words[0];
            }
            instructions.Add((stage, parts[0].ToUpperInvariant(), arguments));
        }
        return new Dockerfile(instructions);
    }

    public IEnumerable<string> Arguments(string stage, string instruction) =>
        Instructions.Where(i => i.Stage == stage && i.Instruction == instruction).Select(i => i.Arguments);

    /// <summary>The last WORKDIR of a stage.</summary>
    public string WorkingDirectory(string stage) => Arguments(stage, "WORKDIR").Last();

    /// <summary>A global ARG's default (<c>ARG NAME=value</c> before the first FROM).</summary>
    public string Argument(string name) =>
        Arguments("", "ARG").Select(a => a.Split('=', 2)).Single(a => a[0] == name)[1];

    [GeneratedRegex(@"\\\s*\n\s*")]
    private static partial Regex Continuation();
}

/// <summary>deploy/rabbitmq/rabbitmq.conf, the broker settings compose mounts (and a broker of your own should have).</summary>
public static class Broker
{
    /// <summary>The broker's <c>consumer_timeout</c> (milliseconds in the file).</summary>
    public static TimeSpan ConsumerTimeout()
    {
        var line = File.ReadAllLines(Repository.File("deploy/rabbitmq/rabbitmq.conf"))
            .Select(l => l.Split('#')[0].Trim())
            .Single(l => l.StartsWith("consumer_timeout", StringComparison.Ordinal));
        return TimeSpan.FromMilliseconds(long.Parse(line.Split('=')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
