"""The Advice tab: index suggestions, workload advice and index health."""
