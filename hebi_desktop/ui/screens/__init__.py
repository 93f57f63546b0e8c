"""The pages of the main window, each with the panels and boxes only it shows."""
