"""Storage helpers shared by the action server and the web app."""
