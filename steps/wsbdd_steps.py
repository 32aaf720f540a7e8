# Registers wsbdd's step library. (Do not name this file wsbdd.py: it would
# shadow the package.)
from wsbdd.steps import *
