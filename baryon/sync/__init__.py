"""Template sync: Proton *repositories* (a Git repository reached through a CodeStar connection), *template
sync configs* (a template follows a branch of a repository) and the loop that turns commits into template
versions (`worker.py`)."""
