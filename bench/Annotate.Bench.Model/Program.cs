// Throughput of the model host against a bare LLamaSharp decode loop on the same file and settings, the same shared
// system-prompt reuse (the prefix decoded once and forked), medians of interleaved rounds; then the host with flash
// attention on against off.
//   dotnet run -c Release --project bench/Annotate.Bench.Model -- --model /work/shared/models/stories260K.gguf [--tokens 128] [--rounds 7] [--threads 1] [--flash-attention]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Annotate.Annotators.Models;
using Annotate.Annotators.Models.Host;
using LLama;
using LLama.Batched;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

var model = Arg("--model") ?? throw new ArgumentException("--model <path to a GGUF file> is required");
var maxTokens = int.Parse(Arg("--tokens") ?? "128", CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds") ?? "7", CultureInfo.InvariantCulture);
int[] inFlight = [1, 2, 4, 8];
const string System = "You tell short stories to children.";
// Letters, digits, spaces and punctuation: close to what the model writes anyway, so the grammar mostly confirms the
// sampled token, which is the common case for JSON output too.
const string StoryGrammar = "root ::= [a-zA-Z0-9 ,.!?'\"\\n-]+";
string[] openings =
[
    "Once upon a time there was a little cat.", "Lily went to the park with her mom.", "Tom had a big red ball.",
    "The sun was shining and the birds sang.", "Ben found a shiny stone in the garden.", "Sara wanted to bake a cake.",
    "A small dog lived in a blue house.", "One day, Max saw a bird in a tree.",
];

// llama.cpp's load chatter would bury the table.
NativeLogConfig.llama_log_set((level, message) =>
{
    if (level >= LLamaLogLevel.Error)
    {
        Console.Error.Write(message);
    }
});

// Context for 8 sequences of prompt + output; one sequence still stays within the model's own positions.
var options = new ModelOptions
{
    Path = model, ContextSize = 8 * (maxTokens + 64) + 256, Threads = int.Parse(Arg("--threads") ?? "1", CultureInfo.InvariantCulture),
    ParallelSequences = 8, MaxOutputTokens = maxTokens, Temperature = 0, FlashAttention = args.Contains("--flash-attention"),
};
await using var host = new LlamaModelHost(Options.Create(options), TimeProvider.System, NullLogger<LlamaModelHost>.Instance);
await host.LoadAsync();
if (!host.Status.IsAvailable)
{
    Console.Error.WriteLine($"Model not loaded: {host.Status.Reason}");
    return 1;
}
var context = host.Status.ContextSize;
var perRequest = maxTokens;
Console.WriteLine($"model {host.Status.Name} ({model}), context {context}, {perRequest} tokens per request, median of {rounds} interleaved rounds, " +
    $"{options.Threads} thread(s), flash attention {(options.FlashAttention ? "on" : "off")}");

// The bare loop gets exactly the host's llama.cpp settings (see LlamaModelHost.CreateParameters).
var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
var parameters = new ModelParams(model)
{
    ContextSize = (uint)options.ContextSize, GpuLayerCount = options.GpuLayerCount, Threads = threads, BatchThreads = threads,
    BatchSize = (uint)options.BatchSize, UBatchSize = (uint)options.BatchSize, FlashAttention = options.FlashAttention,
    SeqMax = (uint)(options.ParallelSequences + 4), KVUnified = true,
};
using var weights = LLamaWeights.LoadFromFile(parameters);
using var executor = new BatchedExecutor(weights, parameters);

string Prompt(int i) => $"System:\n{System}\nUser:\n{openings[i % openings.Length]}\nAssistant:\n";

// The host decodes the system part once and forks its KV cells into each request; the bare loop does the same, so the
// comparison measures the host's queueing, scheduling and sampling, not a saving the bare loop forgoes. The tiny model has
// no chat template, so both use the plain format, whose system part is a text (and token) prefix of every prompt.
var prefixTokens = weights.Tokenize($"System:\n{System}\n", add_bos: true, special: true, Encoding.UTF8);
var sharedPrefix = executor.Create();
sharedPrefix.Prompt(prefixTokens);
if (await executor.Infer() != DecodeResult.Ok)
{
    throw new InvalidOperationException("decoding the shared prefix failed");
}

async Task<(int Tokens, TimeSpan Elapsed)> BareAsync(int n, string? grammar)
{
    var vocab = weights.Vocab;
    var started = Stopwatch.GetTimestamp();
    var runs = Enumerable.Range(0, n).Select(i =>
    {
        var tokens = weights.Tokenize(Prompt(i), add_bos: true, special: true, Encoding.UTF8);
        if (!tokens.AsSpan(0, prefixTokens.Length).SequenceEqual(prefixTokens))
        {
            throw new InvalidOperationException("the system part does not tokenize as a prefix of the prompt");
        }
        var conversation = sharedPrefix.Fork();
        conversation.Prompt(tokens.AsSpan(prefixTokens.Length));
        var sampler = new DefaultSamplingPipeline
        {
            Temperature = 0, Seed = options.Seed, Grammar = grammar is null ? null : new Grammar(grammar, "root"),
            GrammarOptimization = DefaultSamplingPipeline.GrammarOptimizationMode.Extended,
        };
        return (Conversation: conversation, Sampler: sampler, Decoder: new StreamingTokenDecoder(Encoding.UTF8, weights), Generated: new int[1], Done: new bool[1]);
    }).ToList();
    var total = 0;
    while (runs.Any(r => !r.Done[0]))
    {
        var result = await executor.Infer();
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"decode failed: {result}");
        }
        foreach (var run in runs)
        {
            if (run.Done[0] || !run.Conversation.RequiresSampling)
            {
                continue;
            }
            var token = run.Conversation.Sample(run.Sampler);
            if (token.IsEndOfGeneration(vocab))
            {
                run.Done[0] = true;
                continue;
            }
            run.Decoder.Add(token);
            total++;
            if (++run.Generated[0] >= perRequest)
            {
                run.Done[0] = true;
                continue;
            }
            run.Conversation.Prompt(token);
        }
    }
    foreach (var run in runs)
    {
        _ = run.Decoder.Read();
        run.Conversation.Dispose();
        run.Sampler.Dispose();
    }
    return (total, Stopwatch.GetElapsedTime(started));
}

Task<(int Tokens, TimeSpan Elapsed)> HostAsync(int n, string? grammar) => ThroughAsync(host, n, grammar);

async Task<(int Tokens, TimeSpan Elapsed)> ThroughAsync(LlamaModelHost through, int n, string? grammar)
{
    var started = Stopwatch.GetTimestamp();
    var completions = await Task.WhenAll(Enumerable.Range(0, n).Select(i => through.CompleteAsync(
        new ModelRequest { System = System, User = openings[i % openings.Length], MaxTokens = perRequest, Grammar = grammar }, CancellationToken.None)));
    return (completions.Sum(c => c.CompletionTokens), Stopwatch.GetElapsedTime(started));
}

// Medians of several rounds, the variants interleaved round by round so that other load on the machine hits them alike;
// ratios are the medians of the per-round ratios, which other load moves least.
async Task<(double[] Rates, double[] Ratios)> MedianOfAsync(params Func<Task<(int Tokens, TimeSpan Elapsed)>>[] variants)
{
    var rates = variants.Select(_ => new List<double>()).ToArray();
    for (var round = 0; round < rounds; round++)
    {
        for (var v = 0; v < variants.Length; v++)
        {
            var (tokens, elapsed) = await variants[v]();
            rates[v].Add(tokens / elapsed.TotalSeconds);
        }
    }
    // Each variant against the one before it: host/bare, grammar/no grammar.
    var ratios = Enumerable.Range(1, variants.Length - 1).Select(v => Median(Enumerable.Range(0, rounds).Select(r => rates[v][r] / rates[v - 1][r]))).ToArray();
    return (rates.Select(Median).ToArray(), ratios);
}

// Warm up both paths (first decode allocates compute buffers; prefix cache is filled).
await BareAsync(8, null);
await HostAsync(8, null);

var table = new List<string[]> { new[] { "in flight", "bare tok/s", "host tok/s", "host/bare", "host+grammar tok/s", "grammar/no-grammar" } };
var hostRates = new Dictionary<int, double>();
foreach (var n in inFlight)
{
    var (rates, ratios) = await MedianOfAsync(() => BareAsync(n, null), () => HostAsync(n, null), () => HostAsync(n, StoryGrammar));
    hostRates[n] = rates[1];
    table.Add([n.ToString(CultureInfo.InvariantCulture), F(rates[0]), F(rates[1]), R(ratios[0]), F(rates[2]), R(ratios[1])]);
}
Print(table);
Console.WriteLine($"aggregate tokens/s through the host, 8 in flight / 1 in flight: {R(hostRates[8] / hostRates[1])}");

// Flash attention: the host as configured against a second host that differs only in that setting, interleaved.
var flipped = new ModelOptions
{
    Path = options.Path, ContextSize = options.ContextSize, Threads = options.Threads, ParallelSequences = options.ParallelSequences,
    MaxOutputTokens = options.MaxOutputTokens, Temperature = options.Temperature, FlashAttention = !options.FlashAttention,
};
await using (var other = new LlamaModelHost(Options.Create(flipped), TimeProvider.System, NullLogger<LlamaModelHost>.Instance))
{
    await other.LoadAsync();
    await ThroughAsync(other, 8, null);
    var (off, on) = options.FlashAttention ? (other, host) : (host, other);
    var flash = new List<string[]> { new[] { "in flight", "flash off tok/s", "flash on tok/s", "on/off" } };
    foreach (var n in inFlight)
    {
        var (rates, ratios) = await MedianOfAsync(() => ThroughAsync(off, n, null), () => ThroughAsync(on, n, null));
        flash.Add([n.ToString(CultureInfo.InvariantCulture), F(rates[0]), F(rates[1]), R(ratios[0])]);
    }
    Console.WriteLine();
    Print(flash);
}
return 0;

static void Print(List<string[]> table)
{
    var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
    foreach (var row in table)
    {
        Console.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadLeft(widths[c]))));
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string F(double value) => value.ToString("0", CultureInfo.InvariantCulture);
static string R(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
