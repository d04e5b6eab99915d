"""Rich renderings of core models, shared by the TUI and the command line.

Depends on Rich and :mod:`dbtui.core` only: ``dbtui explain`` prints through it without
importing Textual or the UI.
"""
