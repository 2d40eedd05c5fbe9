using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Evaluation;

/// <summary>
/// The <c>eval</c> command both executables understand before they start their host (like <c>models</c>):
/// <c>eval --results DIR --references DIR [--compare DIR] [--out DIR]</c>.
/// </summary>
public static class EvalCommand
{
    /// <summary>Exit code for input that cannot be used (the message names the file).</summary>
    public const int InputError = 1;

    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>The report's file names in the output folder.</summary>
    public const string MarkdownFile = "eval.md", JsonFile = "eval.json";

    /// <summary>How the JSON form is written (camelCase, indented), here and by the API.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const string Usage = """
        Usage:
          eval --results <folder> --references <folder> [--compare <folder>] [--out <folder>]
              Judges the annotations.json of every document in --results (an outbox: one sub-folder per document)
              against the references in --references (one <document name>.json per document; see README, "Evaluating
              output"). With --compare, a second results folder (run B: another model, profile or version) is judged
              against the same references and shown beside the first (run A).
              Writes eval.md (the report), eval.json (every number and value) and similarity.png (the histogram of
              text similarities) into --out (default: "eval", made if missing).
          Options: --label <name>, --compare-label <name>  what the runs are called in the report (default: the folders' names)
        Exit codes: 0 evaluated; 1 input that cannot be used (the message names the file); 2 a bad command line.
        """;

    /// <summary>True when <paramref name="args"/> start with <c>eval</c>.</summary>
    public static bool Matches(string[] args) => args.Length > 0 && string.Equals(args[0], "eval", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Runs <paramref name="args"/> when they are an <c>eval</c> command and returns its exit code; null for any other
    /// arguments, so the caller starts its host. Settings (<c>Annotate:Eval</c>, <c>Annotate:Embedding</c>) come from the
    /// <c>appsettings.json</c> beside the executable and environment variables.
    /// </summary>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (!Matches(args))
        {
            return null;
        }
        using var interrupt = new ConsoleInterrupt();
        try
        {
            // The same settings files and variables as the models command (and the host the executable would start).
            var configuration = Models.Download.ModelsCommand.LoadConfiguration();
            var embedding = new EmbeddingOptions();
            configuration.GetSection(EmbeddingOptions.Section).Bind(embedding);
            using var embedder = new MiniLmTextEmbedder(Options.Create(embedding), NullLogger<MiniLmTextEmbedder>.Instance);
            return await RunAsync(args, configuration, Console.Out, Console.Error, embedder, TimeProvider.System, interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            await Console.Error.WriteLineAsync("Interrupted.").ConfigureAwait(false);
            return 130;
        }
    }

    /// <summary>The command with every dependency supplied (tests use it with writers and a shared encoder).</summary>
    internal static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error,
        ITextEmbedder embedder, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Parse(args, out var problem) is not { } parsed)
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return UsageError;
        }
        if (parsed.Help)
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }
        var options = new EvaluationOptions();
        configuration.GetSection(EvaluationOptions.Section).Bind(options);
        try
        {
            var references = new ReferenceReader(options).ReadFolder(parsed.References!);
            var evaluator = new Evaluator(embedder, time);
            var produced = await ResultsReader.ReadFolderAsync(parsed.Results!, options, cancellationToken).ConfigureAwait(false);
            var run = evaluator.Evaluate(parsed.Label ?? FolderName(parsed.Results!), references, produced, cancellationToken);
            EvaluationRun? compared = null;
            if (parsed.Compare is { } compare)
            {
                var producedB = await ResultsReader.ReadFolderAsync(compare, options, cancellationToken).ConfigureAwait(false);
                compared = evaluator.Evaluate(parsed.CompareLabel ?? FolderName(compare), references, producedB, cancellationToken);
            }
            var report = evaluator.Report(run, compared);

            var folder = Path.GetFullPath(parsed.Out ?? "eval");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, MarkdownFile), EvaluationMarkdown.Write(report, SimilarityHistogram.FileName), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, JsonFile), JsonSerializer.Serialize(report, Json), cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(folder, SimilarityHistogram.FileName), SimilarityHistogram.Render(report), cancellationToken).ConfigureAwait(false);

            await PrintAsync(output, run, compared is null ? null : "A").ConfigureAwait(false);
            if (compared is not null)
            {
                await PrintAsync(output, compared, "B").ConfigureAwait(false);
            }
            await output.WriteLineAsync($"Report: {Path.Combine(folder, MarkdownFile)} (also {JsonFile} and {SimilarityHistogram.FileName})").ConfigureAwait(false);
            return 0;
        }
        catch (EvaluationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return InputError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Cannot read or write the evaluation's files: {ex.Message}").ConfigureAwait(false);
            return InputError;
        }
    }

    private static async Task PrintAsync(TextWriter output, EvaluationRun run, string? letter)
    {
        var prefix = letter is null ? "" : $"{letter} ";
        var name = letter is null ? run.Label : $"{letter} ({run.Label})";
        await output.WriteLineAsync($"{name}: {run.Evaluated} of {run.References} documents evaluated, {run.MissingDocuments.Count} missing, {run.ExtraDocuments.Count} extra.").ConfigureAwait(false);
        var s = run.Structured;
        if (s.Compared > 0)
        {
            var grounded = s.GroundedRate is { } g ? Invariant($", grounded {g * 100:0.0} %") : "";
            await output.WriteLineAsync(Invariant($"{prefix}structured: {s.Exact + s.Normalised} of {s.Compared} right ({s.Accuracy * 100:0.0} %; {s.Exact} exact, {s.Normalised} normalised, {s.Wrong} wrong, {s.Missing} missing){grounded}.")).ConfigureAwait(false);
        }
        var t = run.Text;
        if (t.Compared > 0)
        {
            await output.WriteLineAsync(Invariant($"{prefix}text: {t.StronglySimilar} strongly, {t.SomewhatSimilar} somewhat, {t.NotSimilar} not similar, {t.Missing} missing; median similarity {t.SimilarityMedian?.ToString("0.000", CultureInfo.InvariantCulture) ?? "—"}.")).ConfigureAwait(false);
        }
    }

    private static string FolderName(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))) is { Length: > 0 } name ? name : folder;

    private static ParsedArgs? Parse(string[] args, out string problem)
    {
        problem = "";
        var parsed = new ParsedArgs();
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "help")
            {
                return parsed with { Help = true };
            }
            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 && arg.StartsWith("--", StringComparison.Ordinal)
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (name is not ("--results" or "--references" or "--compare" or "--out" or "--label" or "--compare-label"))
            {
                problem = $"Unknown argument '{arg}'.";
                return null;
            }
            var value = inline;
            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    problem = $"{name} needs a value.";
                    return null;
                }
                value = args[++i];
            }
            if (value.Length == 0)
            {
                problem = $"{name} needs a value.";
                return null;
            }
            parsed = name switch
            {
                "--results" => parsed with { Results = value },
                "--references" => parsed with { References = value },
                "--compare" => parsed with { Compare = value },
                "--out" => parsed with { Out = value },
                "--label" => parsed with { Label = value },
                _ => parsed with { CompareLabel = value },
            };
        }
        if (args.Length == 1)
        {
            return parsed with { Help = true };
        }
        if (parsed.Results is null || parsed.References is null)
        {
            problem = "eval needs --results and --references.";
            return null;
        }
        return parsed;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record ParsedArgs
    {
        public bool Help { get; init; }
        public string? Results { get; init; }
        public string? References { get; init; }
        public string? Compare { get; init; }
        public string? Out { get; init; }
        public string? Label { get; init; }
        public string? CompareLabel { get; init; }
    }
}
