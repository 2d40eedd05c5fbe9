using System.Globalization;
using System.Text;
using Annotate.Annotators.Memory;
using Annotate.Annotators.Pipeline;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// The process-wide local language model: loads one GGUF file once, decodes the requests of many documents together as
/// parallel sequences of one llama.cpp context, and enforces the per-call timeout. Register it as a singleton (and as
/// a hosted service so the model loads at start-up rather than on the first request).
/// </summary>
/// <remarks>
/// Prompts use the chat template stored in the GGUF (system message, user message, assistant start). A model without a
/// usable template gets the plain format <c>System:\n{system}\nUser:\n{user}\nAssistant:\n</c> and
/// <see cref="ModelStatus.HasChatTemplate"/> is false. Decoding keeps one KV cache shared by all sequences
/// (unified), so requests with the same system text reuse its decoded prefix instead of computing it again.
/// </remarks>
public sealed class LlamaModelHost : ILanguageModel, IHostedService, IAsyncDisposable, IReleasableWhenIdle
{
    /// <summary>How long an idle release waits for the decode loop to give the context back.</summary>
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(10);

    /// <summary>System prompts whose decoded prefix is kept for reuse; each holds one sequence of the context.</summary>
    internal const int DefaultPrefixCacheCapacity = 4;

    private readonly ModelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LlamaModelHost> _logger;
    private readonly ResiliencePipeline _timeout;
    private readonly Lock _gate = new();
    private Task? _loading;
    private ModelStatus _status;
    private Loaded? _loaded;
    private bool _disposed;

    private static int _nativeLogsRouted;

    // llama.cpp writes to stderr unless told otherwise; the setting is process-wide, so the first host sets it.
    private static void RouteNativeLogs(ILogger logger)
    {
        if (Interlocked.Exchange(ref _nativeLogsRouted, 1) == 0)
        {
            LLama.Native.NativeLogConfig.llama_log_set(logger);
        }
    }

    /// <summary>Creates the host; nothing is loaded until <see cref="StartAsync"/> or the first request.</summary>
    public LlamaModelHost(IOptions<ModelOptions> options, TimeProvider timeProvider, ILogger<LlamaModelHost> logger, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        // Under their own category, so llama.cpp's chatter can be filtered apart from the host's own lines.
        RouteNativeLogs(loggerFactory?.CreateLogger("LLama.Native") ?? logger);
        // Built once: one timeout strategy for every call (Polly pipelines are thread-safe and meant to be reused).
        _timeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddTimeout(_options.RequestTimeout)
            .Build();
        _status = _options.IsConfigured
            ? new ModelStatus { State = "loading", Path = _options.Path }
            : new ModelStatus { State = "not-configured", Reason = NotConfiguredHint() };
    }

    /// <inheritdoc />
    public ModelStatus Status => Volatile.Read(ref _status);

    /// <summary>Cached system-prompt prefixes; 0 turns prefix sharing off. Set before the model loads (tests, benchmark).</summary>
    internal int PrefixCacheCapacity { get; set; } = DefaultPrefixCacheCapacity;

    /// <summary>Awaited before the file is read, so a test can hold the load and submit documents meanwhile; null in production.</summary>
    internal Func<Task>? HoldLoad { get; set; }

    /// <summary>The decode loop, once loaded. For tests.</summary>
    internal BatchScheduler? Scheduler => _loaded?.Scheduler;

    /// <inheritdoc />
    public string ReleaseName => "model-context";

    /// <summary>
    /// Gives back the model's context (KV cache, compute buffers, cached prompt prefixes) while no request runs; the
    /// weights stay loaded and the next request creates the context again.
    /// </summary>
    public bool TryRelease() => Volatile.Read(ref _loaded)?.Scheduler.TryReleaseContext(ReleaseWait) ?? false;

    /// <summary>Loads the model if that has not started yet and waits for the outcome, which <see cref="Status"/> then tells. Never throws for a bad model.</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                // Stopped: Status says so, and requests fail as model-unavailable rather than with a disposal error.
                return Task.CompletedTask;
            }
            // The load itself ignores the caller's token: one caller giving up must not fail it for everyone.
            _loading ??= Task.Run(LoadCoreAsync, CancellationToken.None);
        }
        return _loading.WaitAsync(cancellationToken);
    }

    /// <summary>Starts loading in the background so the host starts at once; a large file takes a while to hash and map.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = LoadAsync(CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops decoding; requests still running fail as retryable <c>model-unavailable</c>.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <inheritdoc />
    /// <remarks>Starts the load if <see cref="StartAsync"/> has not.</remarks>
    public Task WaitUntilLoadedAsync(CancellationToken cancellationToken) =>
        _options.IsConfigured ? LoadAsync(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var loaded = RequireLoaded();
        // llama_tokenize only reads the vocabulary, so concurrent calls are safe.
        return loaded.Weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8).Length;
    }

    /// <inheritdoc />
    public async Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var startedAt = _time.GetTimestamp();
        if (_options.IsConfigured)
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        var loaded = RequireLoaded();
        var work = Prepare(loaded, request, startedAt);
        // One span per model call, a child of the worker's consume span, so a trace runs gateway → broker → worker → model.
        using var activity = ModelTelemetry.Source.StartActivity("model.generate", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("gen_ai.request.model", Status.Name);
        activity?.SetTag("gen_ai.request.max_tokens", work.MaxTokens);
        try
        {
            var completion = await _timeout.ExecuteAsync(static async (state, token) =>
            {
                var (scheduler, work) = state;
                work.Observe(token);
                scheduler.Enqueue(work);
                return await work.Completion.Task.ConfigureAwait(false);
            }, (loaded.Scheduler, work), cancellationToken).ConfigureAwait(false);
            ModelTelemetry.Record(activity, completion);
            return completion;
        }
        catch (TimeoutRejectedException ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, FailureReason.ModelTimeout);
            // Time spent queued behind other documents counts: under load a retry may well succeed.
            throw new AnnotationException(FailureReason.ModelTimeout,
                $"The language model did not answer within {_options.RequestTimeout} (Annotate:Model:RequestTimeout); " +
                $"prompt {work.Prompt.Length} tokens, up to {work.MaxTokens} to generate.", retryable: true, ex);
        }
    }

    private GenerationWork Prepare(Loaded loaded, ModelRequest request, long startedAt)
    {
        var maxTokens = request.MaxTokens ?? _options.MaxOutputTokens;
        if (maxTokens < 1)
        {
            throw new AnnotationException(FailureReason.InvalidRequest, $"MaxTokens must be at least 1, not {maxTokens}.");
        }
        var (prompt, systemPart) = loaded.Formatter.Format(request.System, request.User);
        var tokens = loaded.Formatter.TokenizePrompt(prompt);
        var context = loaded.Scheduler.ContextSize;
        if (tokens.Length + maxTokens > context)
        {
            // Checked here so the caller gets a reason it can act on instead of a llama.cpp decode error.
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"The prompt takes {tokens.Length} tokens and up to {maxTokens} may be generated, {tokens.Length + maxTokens} in all, " +
                $"more than the model context of {context} tokens (Annotate:Model:ContextSize). Split the text into smaller chunks or ask for fewer tokens.");
        }
        if (request.Grammar is not null && GrammarValidator.Check(loaded.Weights, request.Grammar, "root") is { } grammarProblem)
        {
            throw new AnnotationException(FailureReason.InvalidRequest, $"The output grammar is invalid: {grammarProblem}.");
        }
        var prefixLength = request.System.Length == 0 ? 0 : loaded.Formatter.SharedPrefixLength(prompt, systemPart, tokens);
        return new GenerationWork(tokens, prefixLength, systemPart, maxTokens, request.Grammar, startedAt);
    }

    private Loaded RequireLoaded()
    {
        if (Volatile.Read(ref _loaded) is { } loaded)
        {
            return loaded;
        }
        var status = Status;
        if (status.State == "not-configured")
        {
            // Callers skip model annotators for this reason; retrying cannot help until someone adds a model.
            throw new AnnotationException(FailureReason.ModelUnavailable, $"No language model is configured: {status.Reason}", retryable: false);
        }
        throw new AnnotationException(FailureReason.ModelUnavailable,
            $"The language model is not available ({status.State}): {status.UserReason ?? "it has not been loaded yet"}", retryable: true);
    }

    private async Task LoadCoreAsync()
    {
        if (!_options.IsConfigured)
        {
            _logger.LogInformation("No language model configured: model annotators are skipped. {Hint}", NotConfiguredHint());
            return;
        }
        var path = GgufFile.Resolve(_options.Path!, _options.ModelsFolder);
        SetStatus(new ModelStatus { State = "loading", Path = path });
        LLamaWeights? weights = null;
        try
        {
            if (HoldLoad is { } hold)
            {
                await hold().ConfigureAwait(false);
            }
            if (GgufFile.Check(path) is { } problem)
            {
                Fail(path, problem, null);
                return;
            }
            var sha256 = await GgufFile.Sha256Async(path, CancellationToken.None).ConfigureAwait(false);
            var parameters = CreateParameters(path);
            weights = LLamaWeights.LoadFromFile(parameters);
            var formatter = new PromptFormatter(weights);
            var scheduler = new BatchScheduler(weights, parameters, _options.ParallelSequences, PrefixCacheCapacity,
                _options.Temperature, _options.Seed, _time, _logger, reason => Fail(path, reason, null));
            var name = weights.Metadata.TryGetValue("general.name", out var n) && !string.IsNullOrWhiteSpace(n) ? n : Path.GetFileNameWithoutExtension(path);
            lock (_gate)
            {
                if (_disposed)
                {
                    // Disposed while loading: nobody will release these.
                    scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    weights.Dispose();
                    return;
                }
                Volatile.Write(ref _loaded, new Loaded(weights, formatter, scheduler));
            }
            SetStatus(new ModelStatus
            {
                IsAvailable = true,
                State = "ready",
                Path = path,
                Sha256 = sha256,
                Name = name,
                ContextSize = scheduler.ContextSize,
                HasChatTemplate = formatter.HasChatTemplate,
            });
            _logger.LogInformation(
                "Language model {Name} loaded from {Path}: {SizeMiB} MiB, {Parameters} parameters, context {Context} tokens shared by {Parallel} parallel sequences, chat template {Template}, sha256 {Sha256}",
                name, path, (weights.SizeInBytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture), weights.ParameterCount,
                scheduler.ContextSize, _options.ParallelSequences, formatter.HasChatTemplate ? "from the model" : "none (plain System/User/Assistant format)", sha256);
        }
        catch (Exception ex)
        {
            weights?.Dispose();
            Fail(path, ex.Message, ex);
        }
    }

    private ModelParams CreateParameters(string path)
    {
        var threads = _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount;
        return new ModelParams(path)
        {
            ContextSize = _options.ContextSize > 0 ? (uint)_options.ContextSize : null,
            GpuLayerCount = _options.GpuLayerCount,
            Threads = threads,
            BatchThreads = threads,
            BatchSize = (uint)_options.BatchSize,
            UBatchSize = (uint)_options.BatchSize,
            FlashAttention = _options.FlashAttention,
            // One sequence per request in flight plus one per cached system prefix.
            SeqMax = (uint)(_options.ParallelSequences + PrefixCacheCapacity),
            // A unified KV cache lets a forked request share the cells of its system prefix instead of copying them.
            KVUnified = true,
        };
    }

    private void Fail(string path, string reason, Exception? exception)
    {
        SetStatus(new ModelStatus { State = "failed", Path = path, Reason = reason });
        _logger.LogError(exception, "Language model could not be loaded from {Path}: {Reason}. Model annotators fail with model-unavailable until this is fixed.", path, reason);
    }

    private void SetStatus(ModelStatus status) => Volatile.Write(ref _status, status);

    private string NotConfiguredHint() =>
        $"Set Annotate:Model:Path to a GGUF file (or to the name of a file in '{_options.ModelsFolder}'), or run `models pull <name>`.";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? loading;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            loading = _loading;
        }
        if (loading is not null)
        {
            await loading.ConfigureAwait(false);
        }
        if (Status.State != "not-configured")
        {
            SetStatus(Status with { IsAvailable = false, State = "failed", Reason = "the model host was stopped" });
        }
        if (Interlocked.Exchange(ref _loaded, null) is { } loaded)
        {
            await loaded.Scheduler.DisposeAsync().ConfigureAwait(false);
            loaded.Weights.Dispose();
        }
    }

    private sealed record Loaded(LLamaWeights Weights, PromptFormatter Formatter, BatchScheduler Scheduler);
}
