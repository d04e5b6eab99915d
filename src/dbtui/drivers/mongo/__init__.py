"""MongoDB driver (pymongo): catalog, sampled schema, shell-style commands, editing.

Modules: :mod:`.syntax` (relaxed values, never evaluated), :mod:`.commands`
(command lines), :mod:`.splitting` (editor buffers), :mod:`.safety` (writes and
confirmations), :mod:`.connection`, :mod:`.catalog`, :mod:`.details`,
:mod:`.runner` and :mod:`.operations` (execution), :mod:`.explaining`,
:mod:`.inference` (pure schema analysis), :mod:`.schema` (sampling),
:mod:`.editing`, :mod:`.export` (Extended JSON and mongosh text), :mod:`.driver`.
"""

from dbtui.drivers.mongo.driver import MongoDriver
from dbtui.drivers.mongo.export import document_to_extended_json, to_extended_json, to_shell

__all__ = ["MongoDriver", "document_to_extended_json", "to_extended_json", "to_shell"]
