// The tests start brokers, databases and five .NET processes each: one at a time on a CI machine's two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
