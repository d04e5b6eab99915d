"""The editor pane: query editors in tabs, saving as you type, completion and command help."""
