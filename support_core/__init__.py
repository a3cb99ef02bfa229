"""Plain facts and functions the actions and the web app share, with no Rasa or Sanic imports."""
