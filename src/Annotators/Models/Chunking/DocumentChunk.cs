using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Models.Chunking;

/// <summary>A piece of a document small enough to send to the model with a task's prompt and answer.</summary>
/// <param name="Index">0-based position among the document's chunks.</param>
/// <param name="Text">The chunk's text (headings as Markdown headings, lists as items, tables as header and rows).</param>
/// <param name="TokenCount">Tokens of <see cref="Text"/> with the model's tokenizer.</param>
/// <param name="Blocks">0-based indexes of the blocks the chunk covers (wholly or in part), ascending.</param>
/// <param name="Location">Where the chunk starts: a page, a sheet and the cell range of its rows, or a line; with the first block.</param>
public sealed record DocumentChunk(int Index, string Text, int TokenCount, IReadOnlyList<int> Blocks, SourceLocation Location);

/// <summary>The chunks of a document for one task, and whether content was left out to stay within the chunk limit.</summary>
/// <param name="Chunks">The chunks, in reading order.</param>
/// <param name="BudgetTokens">Most tokens a chunk could take.</param>
/// <param name="Truncated">True when the document had more content than <see cref="ChunkingOptions.MaxChunksPerDocument"/> chunks hold.</param>
public sealed record ChunkedDocument(IReadOnlyList<DocumentChunk> Chunks, int BudgetTokens, bool Truncated);
