"""The shapes world's modules import each other by plain name (generate.py runs as a script with
Debian's python3); as a package — when `unittest discover -s training` walks into this folder —
they need this folder on the path too."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
