"""Quality measurements of the running assistant: dialogue moves and articles in the first reply."""
