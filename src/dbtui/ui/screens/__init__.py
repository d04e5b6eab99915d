"""Screens: the main window and the modal dialogs."""
