"""The Qt front end. Widgets call services; they never issue SQL."""
