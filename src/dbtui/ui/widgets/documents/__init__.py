"""Document actions on results (MongoDB-style: edit, insert, delete, pipelines) for drivers with DocumentEditing."""
