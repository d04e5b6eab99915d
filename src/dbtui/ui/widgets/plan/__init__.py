"""The Plan tab: the plan tree with metric bars, folding, node details, stats and compare."""
