"""The parts of the screens, each owning its state, keys and handlers.

Main screen: ``catalog_pane`` (with ``catalog_tree``), ``editor_stack`` (with ``editor``,
``editor_title``, ``editor_saving``, ``completion``), ``results_tab`` (with
``results_view``, ``window_table``, ``pipelines``), ``plan_view``, ``advice_tab`` (with
``advice_view``), ``messages_log``, ``details_tab``.
"""
