namespace Annotate.Annotators.Embeddings;

/// <summary>A bounded least-recently-used map from a text's hash to its vector.</summary>
internal sealed class EmbeddingCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, float[] Vector)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, float[] Vector)> _recency = new();
    private readonly Lock _lock = new();

    /// <summary>Entries held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string key, out float[] vector)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                vector = node.Value.Vector;
                return true;
            }
        }
        vector = [];
        return false;
    }

    public void Add(string key, float[] vector)
    {
        if (capacity == 0)
        {
            return;
        }
        lock (_lock)
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }
            _entries[key] = _recency.AddFirst((key, vector));
            if (_entries.Count > capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
            }
        }
    }
}
