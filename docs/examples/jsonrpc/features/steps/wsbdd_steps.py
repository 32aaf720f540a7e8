from wsbdd.steps import *
